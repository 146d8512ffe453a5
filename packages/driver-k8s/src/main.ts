#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// The same two V8 flags as the container drivers, for the same reason (driver RSS with 100
// sandboxes; issue 13 targets ≤ 80 MB): young generation kept at 1 MB semi-spaces, and lite
// mode. The driver waits on the API server, not on JavaScript.
setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--lite-mode');

// Imported only now, so loading grpc-js and the Kubernetes client happens under both flags.
const { runK8sDriverMain } = await import('./run-k8s-driver-main.js');
await runK8sDriverMain();
