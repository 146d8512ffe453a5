/**
 * Gateway replicas sharing one Postgres database (docs/replicas.md): leader election for
 * the work that must run once, the replica registry, the replica-to-replica relay that takes
 * exec and logs to the replica holding a sandbox's supervisor session, and the rule that
 * refuses drivers whose backend only one host sees.
 */
export { SHARED_BACKEND_KEY, assertDriversReplicable, splitDriverSharing } from './driver-sharing.js';
export type { DriverSharing } from './driver-sharing.js';
export { LeaderDuties } from './leader-duties.js';
export type { LeaderDutiesOptions } from './leader-duties.js';
export { LeaderElection } from './leader-election.js';
export type { LeaderElectionOptions, LeaderListener, LeaderTerm, LeaseStore } from './leader-election.js';
export { PeerRelay } from './peer-relay.js';
export type { PeerRelayOptions, ReplicaAddressBook } from './peer-relay.js';
export { ReplicaMembership } from './replica-membership.js';
export type { ReplicaMembershipOptions } from './replica-membership.js';
export { ReplicaRelayServer } from './replica-relay-server.js';
export type { ReplicaRelayServerOptions } from './replica-relay-server.js';
export { ReplicaRelayClient, ReplicaRelayService } from './replica-relay-service.js';
export { followSessionHolders } from './session-handover.js';
export type { SessionHandoverOptions } from './session-handover.js';
