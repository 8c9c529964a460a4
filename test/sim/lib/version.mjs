// The msb version the simulator answers with: the real binary's (owctl checks it).
export { SIM_VERSION as VERSION } from './v07.mjs';
