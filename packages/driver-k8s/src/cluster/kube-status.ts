/**
 * The HTTP status of a failed Kubernetes call, whatever part of the client threw it: an
 * `ApiException` (`code`), a watch that failed to open (`statusCode`), or a watch ERROR
 * event's `Status` object (`code`).
 */
export function kubeStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}

/** Whether `error` is a Kubernetes answer with HTTP status `status`. */
export function isKubeStatus(error: unknown, status: number): boolean {
  return kubeStatusOf(error) === status;
}

/** The API server's own message (`Status.message` in an ApiException's body), when it sent one. */
export function kubeMessageOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { body, message } = error as { body?: unknown; message?: unknown };
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string') return (parsed as { message: string }).message;
  if (kubeStatusOf(error) !== undefined && typeof message === 'string' && !message.startsWith('HTTP-Code')) return message;
  return undefined;
}
