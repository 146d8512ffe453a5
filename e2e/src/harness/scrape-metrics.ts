/** Scrapes 127.0.0.1:`port`/metrics until every pattern matches or 20 s pass; returns the last scrape. */
export async function scrapeMetricsUntil(port: number, patterns: readonly RegExp[]): Promise<string> {
  let text = '';
  const deadline = Date.now() + 20_000;
  while (!patterns.every((pattern) => pattern.test(text)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  }
  return text;
}
