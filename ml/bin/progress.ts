/**
 * A progress display on stderr: one bar line per stage, redrawn in place on a terminal (at most ten times a
 * second), or one line per finished stage otherwise. Returns the `onProgress` callback and `log` (prints a
 * line without tearing the bar).
 */
export function progressDisplay(stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const started = performance.now();
  let stage = '';
  let stageStarted = started;
  let lastDraw = 0;
  let open = false;
  const LABELS: Record<string, string> = {
    read: 'Reading the dataset',
    popularity: 'Popularity',
    neighbours: 'Item-to-item neighbours',
    holdout: 'Holdout figures',
    forecasts: 'Forecasts',
    'tune forecast': 'Forecast parameters',
  };
  const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.round(n / 1024)} kB`);

  const line = (name: string, done: number, total: number) => {
    const width = 28;
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * width);
    const counts = name === 'read' ? `${bytes(done)}/${bytes(total)}` : `${done}/${total}`;
    const seconds = ((performance.now() - stageStarted) / 1000).toFixed(1);
    return `${(LABELS[name] ?? name).padEnd(24)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${counts}  ${seconds} s`;
  };

  const onProgress = (name: string, done: number, total: number) => {
    const now = performance.now();
    if (name !== stage) {
      if (open && tty) stream.write('\n');
      open = false;
      stage = name;
      stageStarted = now;
      lastDraw = 0;
    }
    const finished = done >= total;
    if (tty) {
      if (finished || now - lastDraw > 100) {
        stream.write(`\r\x1b[K${line(name, done, total)}`);
        lastDraw = now;
        open = true;
      }
    } else if (finished) {
      stream.write(`${line(name, done, total)}\n`);
    }
  };

  const log = (message: string) => {
    if (open && tty) stream.write('\n');
    open = false;
    stage = '';
    stream.write(`${message}\n`);
  };

  const elapsed = () => (performance.now() - started) / 1000;
  return { onProgress, log, elapsed };
}
