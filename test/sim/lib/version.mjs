// The msb version the simulator answers with: the real binary's (owctl checks it).
export const VERSION = '0.6.18';
