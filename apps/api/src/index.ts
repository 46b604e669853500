/**
 * The package surface: the router type for the SDK (type-only) and the app factory for
 * tests and embedding.
 */

export { type App, createApp } from './app';
export { type Config, parseConfig } from './config';
export { createDeps, type Deps } from './deps';
export type { AppCode } from './errors/app-codes';
export { listen, type RunningServer } from './http-server';
export type { ErrorData } from './trpc/init';
export type { AppRouter, RouterInputs, RouterOutputs } from './trpc/root';
