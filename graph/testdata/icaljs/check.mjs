// Reads an iCalendar feed on standard input, parses it with ical.js and
// prints its events as JSON: uid, summary, start and end in UTC.
import ICAL from 'ical.js';

let text = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) text += chunk;
const cal = new ICAL.Component(ICAL.parse(text));
const events = cal.getAllSubcomponents('vevent').map((c) => {
  const e = new ICAL.Event(c);
  return { uid: e.uid, summary: e.summary, start: e.startDate.toJSDate().toISOString(), end: e.endDate.toJSDate().toISOString() };
});
process.stdout.write(JSON.stringify({ name: cal.getFirstPropertyValue('x-wr-calname'), events }));
