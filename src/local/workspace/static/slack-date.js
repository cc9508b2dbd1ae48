// Slack's date tokens, <!date^SECONDS^FORMAT^LINK|FALLBACK>: Slack shows the time in each
// reader's own time zone, as the browser does here. https://api.slack.com/reference/surfaces/formatting#date-formatting

const DAY_MS = 86_400_000;

function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "today", "yesterday" or "tomorrow" when the day is one of those, as Slack's *_pretty tokens show. */
function nearDay(d) {
  const midnight = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  return { 0: 'today', [-1]: 'yesterday', 1: 'tomorrow' }[Math.round((midnight(d) - midnight(new Date())) / DAY_MS)];
}

const UNITS = [['day', DAY_MS / 1000], ['hour', 3600], ['minute', 60], ['second', 1]];

function ago(d) {
  const seconds = (d.getTime() - Date.now()) / 1000;
  const [unit, size] = UNITS.find(([, size]) => Math.abs(seconds) >= size) ?? UNITS.at(-1);
  return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(Math.round(seconds / size), unit);
}

function tokens(d) {
  const month = (style) => d.toLocaleDateString('en-US', { month: style });
  const date = `${month('long')} ${ordinal(d.getDate())}, ${d.getFullYear()}`;
  const dateShort = `${month('short')} ${d.getDate()}, ${d.getFullYear()}`;
  const dateLong = `${d.toLocaleDateString('en-US', { weekday: 'long' })}, ${date}`;
  const near = nearDay(d);
  return {
    date_num: `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`,
    date,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: near ?? date,
    date_short_pretty: near ?? dateShort,
    date_long_pretty: near ?? dateLong,
    time: d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' }),
    time_secs: d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', second: '2-digit' }),
    ago: ago(d),
  };
}

/** The text of a date token (`target` is "!date^SECONDS^FORMAT[^LINK]"), or the fallback when it is malformed. */
export function slackDate(target, fallback) {
  const [, seconds, format = ''] = target.split('^');
  const d = new Date(Number(seconds) * 1000);
  if (!/^\d+$/.test(seconds ?? '') || Number.isNaN(d.getTime())) return fallback;
  const values = tokens(d);
  return format.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
}
