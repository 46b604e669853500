/**
 * The types a client needs and nothing else: the SDK bundles its declarations from here, so
 * everything reachable from this file becomes public API.
 */
export type { AppCode } from './errors/app-codes';
export type { ErrorData } from './trpc/init';
export type { AppRouter, RouterInputs, RouterOutputs } from './trpc/root';
