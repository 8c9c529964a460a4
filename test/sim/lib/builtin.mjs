// Built-ins that only some commands use, loaded when first used. Each msb call is a fresh process, and the frequent
// ones (inspect, ls, image inspect, context) need none of child_process, crypto, dgram or net, which together cost
// a fair part of a call's start-up (loading ~60 internal modules).
import { createRequire } from 'node:module';

export const builtin = createRequire(import.meta.url);
