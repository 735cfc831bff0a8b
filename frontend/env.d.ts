/// <reference types="vite/client" />

// Lets plain TypeScript tools (eslint's type checker) see .vue imports; vue-tsc reads the real files.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
