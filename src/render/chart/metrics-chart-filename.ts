/** `meshbot-metrics-SVC.NS.png`: the chart's file name in Slack and the CLI's default path. */
export function metricsChartFilename(service: string, namespace: string): string {
  return `meshbot-metrics-${service}.${namespace}.png`;
}
