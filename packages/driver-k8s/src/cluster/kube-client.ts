// The parts of @kubernetes/client-node the driver runs, and the only module that imports its
// values (types come from the package itself). Why one door: `pnpm run build` replaces this
// file's compiled output with one minified bundle of exactly these names and what they use
// (scripts/bundle-kube-client.mjs). Loaded file by file, client-node is ~700 model modules
// plus every generated API group (its config.js imports all of gen/index.js), and the idle
// driver's RSS was 91 MB; bundled, the same classes cost ~25 MB less (issue 13: ≤ 80 MB).
export {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  Watch,
  setHeaderMiddleware,
  setHeaderOptions,
} from '@kubernetes/client-node';
