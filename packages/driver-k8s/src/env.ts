/** Environment variables the driver reads (only through injected `env` records). */
export const DriverEnv = {
  /** kubectl's list of kubeconfig files (`:`-separated); the first file wins, the others merge. */
  Kubeconfig: 'KUBECONFIG',
  /** Set by the kubelet in every pod: the in-cluster API server address. */
  KubernetesServiceHost: 'KUBERNETES_SERVICE_HOST',
  KubernetesServicePort: 'KUBERNETES_SERVICE_PORT',
} as const;
export type DriverEnv = (typeof DriverEnv)[keyof typeof DriverEnv];
