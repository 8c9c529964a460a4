/** Build step: compile the file schema's validators to dist/config/validators.cjs (see src/config/compile-validators.ts). */
import { writeFileSync } from 'node:fs';
import { validatorSource } from '../dist/config/compile-validators.js';

writeFileSync(new URL('../dist/config/validators.cjs', import.meta.url), validatorSource());
