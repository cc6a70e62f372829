// Every store reads time through an injected clock so tests can move time by hand instead of
// sleeping, and so no store calls Date.now() on its own.

/** Milliseconds since the Unix epoch (wall time: session timestamps are shown to users). */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
