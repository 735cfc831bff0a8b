export * from './problem.ts';
export * from './pagination.ts';
export * from './events.ts';
export * from './roles.ts';
export * from './demo.ts';
