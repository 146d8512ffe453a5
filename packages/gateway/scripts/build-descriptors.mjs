// Compiles the primary listener's services (the OpenShell API, the supervisor session, gRPC
// health and reflection) into one FileDescriptorSet, shipped in the gateway package as
// dist/proto/descriptor-set.binpb, where server reflection reads it at startup. protoc's
// descriptors, not protobufjs's: those carry relative type names and map entries grpcurl
// refuses ("cannot resolve type", "invalid map").
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(packageDir, 'package.json'));
const protoDir = join(packageDir, '..', '..', 'proto');
const healthDir = join(dirname(require.resolve('grpc-health-check/package.json')), 'proto');
const reflectionDir = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto');
const outDir = join(packageDir, 'dist', 'proto');

mkdirSync(outDir, { recursive: true });
execFileSync('protoc', [
  `-I${protoDir}`,
  `-I${healthDir}`,
  `-I${reflectionDir}`,
  '--include_imports',
  `--descriptor_set_out=${join(outDir, 'descriptor-set.binpb')}`,
  'openshell.proto',
  'shellgate/supervisor/v1/session.proto',
  'health/v1/health.proto',
  'grpc/reflection/v1/reflection.proto',
], { stdio: 'inherit' });
