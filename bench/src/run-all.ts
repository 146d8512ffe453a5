// `pnpm bench`: every benchmark in sequence. Each prints its figures beside a baseline from
// the same run and a PASS/MISS line per target; timings are never asserted, so this exits 0
// even when a benchmark crashes (the error is printed). Each also runs alone: node bench/dist/<name>.js.
import { availableParallelism, loadavg } from 'node:os';

import { runDockerCreateBench } from './docker-create.js';
import { runDriverProcessBench } from './driver-process.js';
import { runGatewayApiBench } from './gateway-api.js';
import { runK8sCreateBench } from './k8s-create.js';
import { runPodmanCreateBench } from './podman-create.js';
import { runBench } from './report.js';
import { runReplicaFailoverBench } from './replica-failover.js';
import { runRpcLatencyBench } from './rpc-latency.js';
import { runStoreReplicasBench } from './store-replicas.js';
import { runSupervisorSessionBench } from './supervisor-session.js';
import { runVmCreateBench } from './vm-create.js';

// The load average is printed because a busy machine moves every figure; compare ratios.
const load = loadavg().map((value) => value.toFixed(2)).join(' ');
process.stdout.write(
  `Shellgate benchmarks: node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} CPUs, load average ${load}\n`,
);
await runBench('unary RPC benchmark', runRpcLatencyBench);
await runBench('driver process benchmark', runDriverProcessBench);
await runBench('gateway API benchmark', () => runGatewayApiBench());
// Prints "skipped: no Postgres (run scripts/engines/postgres.sh start ...)" without SHELLGATE_TEST_POSTGRES_URL.
await runBench('store replicas benchmark', () => runStoreReplicasBench());
await runBench('replica failover benchmark', () => runReplicaFailoverBench());
// Prints "skipped: no Docker engine (run scripts/engines/docker.sh start)" when none answers.
await runBench('docker create benchmark', runDockerCreateBench);
await runBench('supervisor benchmark', runSupervisorSessionBench);
// Prints "skipped: no Podman API service (run scripts/engines/podman.sh start)" when none answers.
await runBench('podman create benchmark', runPodmanCreateBench);
// Prints "skipped: ..." without QEMU and a prepared kernel (scripts/engines/vm.sh start).
await runBench('vm create benchmark', runVmCreateBench);
// Prints "skipped: no Kubernetes cluster (run scripts/engines/k8s.sh start)" when none answers.
await runBench('Kubernetes create benchmark', runK8sCreateBench);
