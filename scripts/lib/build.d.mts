// Types of what TypeScript imports from build.mjs (the scripts are plain JavaScript).
export declare const NODE_FLAGS: readonly string[];
export declare function serviceCommand(service: string): string[];
