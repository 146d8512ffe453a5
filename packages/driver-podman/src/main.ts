#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Keeps V8's young generation at its initial size (1 MB semi-spaces) instead of letting it
// grow to 16 MB each under create bursts: the driver allocates little, so scavenges stay
// short, and RSS stays low with 100 sandboxes (issue 11: ≤ 80 MB with 100). Unlike
// --max-semi-space-size, these flags still take effect after the process started.
setFlagsFromString('--semi-space-growth-factor=1');
// V8's lite mode (no optimizing compiler, feedback allocated lazily): ~7.5 MB less RSS idle
// (61.6 → 53.9 MB measured; issue 11: ≤ 60 MB idle, where grpc-js alone costs 13 MB). The
// driver waits on sockets, not on JavaScript, and the create benchmark kept its ratios.
setFlagsFromString('--lite-mode');

// Imported only now, so loading grpc-js happens under both flags.
const { runPodmanDriverMain } = await import('./run-podman-driver-main.js');
await runPodmanDriverMain();
