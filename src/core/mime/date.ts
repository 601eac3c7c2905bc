// Date fields (RFC 5322 §3.3), including the obsolete forms of §4.3: two- and
// three-digit years, alphabetic zones (UT, GMT, EST..PDT, military letters),
// comments and extra whitespace, missing seconds. Returns null rather than guess
// when there is no day, month, year and time to read.

export interface MailDate {
  /** The instant the field names. */
  readonly instant: Date;
  /** The calendar date as written in the sender's zone: what IMAP SENTBEFORE/SENTON/SENTSINCE compare (RFC 3501 §6.4.4). */
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number;
  /** The zone offset as written, in minutes east of UTC. */
  readonly offsetMinutes: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 5322 §4.3 obs-zone, in minutes east of UTC. Military letters are "-0000"
// (unknown) there because their sign was historically used both ways.
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  edt: -4 * 60, est: -5 * 60, cdt: -5 * 60, cst: -6 * 60,
  mdt: -6 * 60, mst: -7 * 60, pdt: -7 * 60, pst: -8 * 60,
};

export function parseMailDate(text: string): MailDate | null {
  const cleaned = text.replace(/\([^()]*\)/g, ' ').replace(/,/g, ' ').trim().toLowerCase();
  const words = cleaned.split(/\s+/).filter((w) => w !== '');
  // Skip a day-of-week ("Mon", "Monday"), however written.
  if (words.length > 0 && /^[a-z]+\.?$/.test(words[0]!) && !MONTHS.includes(words[0]!.slice(0, 3))) words.shift();
  if (words.length < 4) return null;
  let day: number;
  let monthWord: string;
  // "3 Feb 2026" is the standard; "Feb 3 2026" turns up from some old mailers.
  if (/^\d{1,2}$/.test(words[0]!)) {
    day = Number(words[0]);
    monthWord = words[1]!;
  } else {
    monthWord = words[0]!;
    day = Number(words[1]);
  }
  const month = MONTHS.indexOf(monthWord.slice(0, 3)) + 1;
  const yearWord = words[2]!;
  if (month === 0 || !Number.isInteger(day) || day < 1 || day > 31 || !/^\d{2,4}$/.test(yearWord)) return null;
  let year = Number(yearWord);
  // RFC 5322 §4.3: two digits: 00-49 are 20xx, 50-99 are 19xx; three digits add 1900.
  if (yearWord.length === 2) year += year < 50 ? 2000 : 1900;
  else if (yearWord.length === 3) year += 1900;
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(words[3]!);
  if (time === null) return null;
  const hour = Number(time[1]);
  const minute = Number(time[2]);
  const second = time[3] === undefined ? 0 : Number(time[3]);
  if (hour > 23 || minute > 59 || second > 60) return null;
  const offsetMinutes = parseZone(words[4]);
  const instant = new Date(Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) - offsetMinutes * 60_000);
  if (Number.isNaN(instant.getTime())) return null;
  return { instant, year, month, day, offsetMinutes };
}

function parseZone(word: string | undefined): number {
  if (word === undefined) return 0;
  const numeric = /^([+-])(\d{2})(\d{2})$/.exec(word);
  if (numeric !== null) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  return ZONES[word] ?? 0; // military letters and unknown names: -0000, no offset
}
