// What the terminal of `npm start` shows. On a terminal (TTY): a compact status block per plant,
// redrawn in place, with the lines that matter (a crash, a restart, a fault starting) printed above
// it. Anywhere else (a pipe, CI, a file) no cursor movement: plain lines, one per plant per
// interval, so the output reads as a log.
'use strict';

class Screen {
  #out;
  #block = [];
  #drawn = 0;

  constructor(out = process.stdout, live = Boolean(out.isTTY)) {
    this.#out = out;
    this.live = live;
  }

  /** A line that stays: on a TTY it goes above the live block, which is drawn again below it. */
  log(line) {
    this.#erase();
    this.#out.write(`${line}\n`);
    this.#draw();
  }

  /** Replaces the live block (TTY only). */
  show(lines) {
    if (!this.live) return;
    this.#erase();
    this.#block = lines;
    this.#draw();
  }

  /** Leaves the last block on screen as it is; what is printed next goes below it. */
  detach() {
    this.#block = [];
    this.#drawn = 0;
  }

  #erase() {
    // Up to the block's first line, then clear to the end of the screen.
    if (this.#drawn) this.#out.write(`\x1b[${this.#drawn}A\r\x1b[J`);
    this.#drawn = 0;
  }

  #draw() {
    if (!this.live || !this.#block.length) return;
    // A line wider than the terminal would wrap and the cursor-up count would be wrong.
    const width = Math.max(20, (this.#out.columns || 120) - 1);
    const lines = this.#block.map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    this.#out.write(`${lines.join('\n')}\n`);
    this.#drawn = lines.length;
  }
}

/** `P100 status  orders: … | events: … | ERP postings: … | ERP up`, one line (the non-TTY status). */
function statusLine(code, status) {
  return `${code} status  ${ordersText(status)} | ${eventsText(status)} | ${postingsText(status)} | ${movementsText(status)} | ${erpText(status)}`;
}

function ordersText({ orders }) {
  const text = Object.entries(orders)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return `orders: ${text || 'none yet'}`;
}

function eventsText(status) {
  const edge = status.edgeEventsOut === null ? '?' : status.edgeEventsOut;
  return `events: edge out ${edge}, order-sync in ${status.eventsIn}`;
}

function postingsText({ postings, postingAvgMs }) {
  const waiting = (postings.pending || 0) + (postings['in-flight'] || 0);
  const latency = postingAvgMs === null ? '' : `, ${postingAvgMs} ms per posting`;
  return (
    `ERP postings: ${postings.posted || 0} posted, ${waiting} waiting, ` +
    `${postings['in-doubt'] || 0} in doubt, ${postings.failed || 0} failed${latency}`
  );
}

/** inventory-movement's postings: goods movements by ledger state. */
function movementsText({ movements }) {
  if (!movements) return 'movements: ? (inventory-movement not answering)';
  const waiting = (movements.pending || 0) + (movements['in-flight'] || 0);
  return (
    `movements: ${movements.posted || 0} posted, ${waiting} waiting, ` +
    `${movements['in-doubt'] || 0} in doubt, ${movements.failed || 0} failed`
  );
}

function erpText({ erpSimulated, erpAnswers, outageS }) {
  if (!erpSimulated) return 'ERP real';
  if (!erpAnswers) return 'ERP DOWN (simulator not answering)';
  return outageS > 0 ? `ERP DOWN (${outageS} s left)` : 'ERP up';
}

/** `up`, `starting`, `restarting in 4 s`, … of one supervised process, with its restarts so far. */
function processText(proc, now = Date.now()) {
  const { sup } = proc;
  let state =
    sup.state === 'running' ? (proc.ready ? 'up' : proc.wasReady ? 'not ready' : 'starting') : sup.state;
  if (sup.state === 'restarting')
    state = `restarting in ${Math.max(0, Math.ceil((sup.restartAt - now) / 1000))} s`;
  const restarts = sup.restarts ? ` (${sup.restarts} restart${sup.restarts === 1 ? '' : 's'})` : '';
  return `${proc.name} ${state}${restarts}${proc.note ? `, ${proc.note}` : ''}`;
}

/** Words joined by ` · ` into lines of at most `width` characters, each starting with `indent`. */
function wrap(words, width, indent) {
  const lines = [];
  let line = '';
  for (const word of words) {
    if (line && indent.length + line.length + 3 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} · ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/**
 * The live block: per plant its orders, events, ERP postings, goods movements and ERP state, and the state of each of
 * its processes; then the ERP simulator. `plants`: [{ code, last: { status, at } | null, error,
 * processes }]; `shared`: the processes of no plant (the ERP simulator).
 */
function statusBlock({ plants, shared, startedAt, width = 120, now = Date.now() }) {
  const clock = new Date(now).toTimeString().slice(0, 8);
  const lines = [`── Plantbridge ${clock}, up ${duration(now - startedAt)} ── Ctrl-C stops ──`];
  for (const plant of plants) {
    const pad = ' '.repeat(plant.code.length + 2);
    const { last } = plant;
    if (!last) lines.push(`${plant.code}  no status yet${plant.error ? ` (${plant.error})` : ''}`);
    else {
      const stale = plant.error
        ? `  (as of ${new Date(last.at).toTimeString().slice(0, 8)}: ${plant.error})`
        : '';
      lines.push(`${plant.code}  ${ordersText(last.status)} | ${eventsText(last.status)}${stale}`);
      lines.push(`${pad}${postingsText(last.status)} | ${erpText(last.status)}`);
      lines.push(`${pad}${movementsText(last.status)}`);
    }
    lines.push(
      ...wrap(
        plant.processes.map((p) => processText(p, now)),
        width,
        pad,
      ),
    );
  }
  if (shared.length)
    lines.push(
      ...wrap(
        shared.map((p) => processText(p, now)),
        width,
        '',
      ),
    );
  return lines;
}

/** 75 s → `1m15s`. */
function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

module.exports = { Screen, statusLine, statusBlock, processText, duration };
