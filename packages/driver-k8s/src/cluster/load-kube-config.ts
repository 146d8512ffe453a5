import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import type { Logger } from '@shellgate/driver-sdk';

import { DriverEnv } from '../env.js';
import { KubernetesAccessError } from '../errors.js';
import { KubeConfig } from './kube-client.js';

/** Where the in-cluster service account's token is mounted (when automounted). */
export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Which source gave the cluster access, for the start-up log and errors. */
export interface KubeAccess {
  readonly config: KubeConfig;
  /** e.g. `kubeconfig key: /etc/shellgate/kubeconfig` or `in-cluster service account`. */
  readonly source: string;
}

export interface LoadKubeConfigOptions {
  /** The `kubeconfig` config key; empty: not set. */
  readonly configured: string;
  /** The `context` config key; empty: the file's current-context. */
  readonly context: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly logger: Logger;
  /** Whether a file exists; the real file system by default. */
  readonly fileExists?: (path: string) => boolean;
}

/** One way to find cluster access: a config, or why it does not apply. */
type Attempt = { readonly config: KubeConfig; readonly source: string } | { readonly skipped: string };

function fromFiles(files: readonly string[], source: string): Attempt {
  const config = new KubeConfig();
  config.loadFromFile(files[0] ?? '');
  for (const file of files.slice(1)) {
    const next = new KubeConfig();
    next.loadFromFile(file);
    config.mergeConfig(next);
  }
  return { config, source };
}

/**
 * The cluster access the driver uses, first hit wins, each skip logged (issue 13; kubectl's
 * and client-node's `loadFromDefault` order, with the operator's key first): the `kubeconfig`
 * key, then `KUBECONFIG` (files joined by `:`; the first wins, the rest merge), then
 * `~/.kube/config`, then the in-cluster service account. A file that exists but cannot be
 * read is an error, never a skip: the operator pointed at it.
 * @throws KubernetesAccessError listing every attempt when none applies, or naming the file or context at fault.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions): KubeAccess {
  const exists = options.fileExists ?? existsSync;
  const { env, logger } = options;
  const attempts: { readonly name: string; readonly attempt: () => Attempt }[] = [
    {
      name: 'kubeconfig key',
      attempt: () => (options.configured === '' ? { skipped: 'not set' } : fromFiles([options.configured], `kubeconfig key: ${options.configured}`)),
    },
    {
      name: DriverEnv.Kubeconfig,
      attempt: () => {
        const files = (env[DriverEnv.Kubeconfig] ?? '').split(delimiter).filter((file) => file !== '');
        return files.length === 0 ? { skipped: 'not set' } : fromFiles(files, `${DriverEnv.Kubeconfig}: ${files.join(delimiter)}`);
      },
    },
    {
      name: '~/.kube/config',
      attempt: () => {
        const file = join(options.homeDir, '.kube', 'config');
        return exists(file) ? fromFiles([file], file) : { skipped: `${file} does not exist` };
      },
    },
    {
      name: 'in-cluster service account',
      attempt: () => {
        if ((env[DriverEnv.KubernetesServiceHost] ?? '') === '') return { skipped: `${DriverEnv.KubernetesServiceHost} is not set (not running in a pod)` };
        if (!exists(SERVICE_ACCOUNT_TOKEN_PATH)) return { skipped: `${SERVICE_ACCOUNT_TOKEN_PATH} does not exist (automountServiceAccountToken is off?)` };
        const config = new KubeConfig();
        config.loadFromCluster();
        return { config, source: 'in-cluster service account' };
      },
    },
  ];
  const skipped: string[] = [];
  for (const { name, attempt } of attempts) {
    let result: Attempt;
    try {
      result = attempt();
    } catch (error) {
      throw new KubernetesAccessError(`cannot load cluster access from ${name}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'fix or remove that kubeconfig; the driver does not fall back past a source the operator set',
        cause: error,
      });
    }
    if ('skipped' in result) {
      logger.info('cluster access source skipped', { source: name, reason: result.skipped });
      skipped.push(`${name}: ${result.skipped}`);
      continue;
    }
    useContext(result.config, options.context, result.source);
    return result;
  }
  throw new KubernetesAccessError(`no Kubernetes cluster access found (${skipped.join('; ')})`, {
    hint: 'set the kubeconfig key (or KUBECONFIG) to a kubeconfig file, or run the driver in a pod with a service account token',
    details: { attempts: skipped },
  });
}

function useContext(config: KubeConfig, context: string, source: string): void {
  if (context !== '') {
    if (!config.getContexts().some((candidate) => candidate.name === context)) {
      throw new KubernetesAccessError(`kubeconfig context ${JSON.stringify(context)} is not in ${source}`, {
        hint: `pick one of: ${config.getContexts().map((candidate) => candidate.name).join(', ') || '(none)'}`,
      });
    }
    config.setCurrentContext(context);
  }
  if (config.getCurrentCluster() === null) {
    throw new KubernetesAccessError(`${source} names no cluster for its current context`, { hint: 'set current-context in the kubeconfig, or the context key' });
  }
}
