/**
 * Faults the sandbox destination controller can be told to have, per service or for all.
 * Scenarios declare them; the admin API sets and clears them at run time.
 */
export type FaultSpec =
  | { type: 'freeze' } // stops applying updates: the stale-discovery bug
  | { type: 'lag'; ms: number } // applies every update N ms late
  | { type: 'drop-removes' } // keeps addresses of deleted pods
  | { type: 'unavailable' } // answers Get with UNAVAILABLE
  | { type: 'slow-first'; ms: number } // first message of a stream after N ms
  | { type: 'reset'; afterMessages: number }; // ends streams after N messages

export type FaultType = FaultSpec['type'];

/** A fault and where it applies: `service` is `NAME.NAMESPACE`; absent = every service. */
export type Fault = FaultSpec & { service?: string };
