// Protocol timing for tests over vcan in user-mode Linux, where a loaded host can stall a process for
// hundreds of milliseconds: the tester adds this to the P2/P2* the ECU advertises (0x10's answer) instead
// of the default 250 ms. Generous on purpose: a test must never depend on tight timing.
export const LOADED_HOST_TIMING_MARGIN_MS = 10_000;
