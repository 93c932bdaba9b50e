import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import type { CompiledModel } from '../../src/model/index.js';
import { createMxObject } from '../../src/objects/mx-object.js';
import { FUNCTIONS } from '../../src/logic/expressions/index.js';
import { loadModel } from '../../src/model/index.js';
import { writeApp } from '../support/app-folder.js';
import { evaluate, problems, salesModel, show, type EvalOptions, type Var } from './expression-harness.js';

let model: CompiledModel;
beforeAll(async () => {
  model = await salesModel();
});

const order = createMxObject('Sales.Order', (1n << 48n) | 7n, 'persisted');
order.values.set('Total', new Decimal('12.50'));
order.values.set('Status', 'Confirmed');
order.values.set('OrderDate', new Date('2024-03-31T00:30:00Z'));
order.values.set('Number', 42n);
const fresh = createMxObject('Sales.Order', (1n << 48n) | 8n, 'new');
const customer = createMxObject('Sales.Customer', (3n << 48n) | 1n, 'persisted');
customer.values.set('CompanyName', 'ACME');
const vars: Record<string, Var> = {
  Order: { type: 'Sales.Order', value: order },
  Fresh: { type: 'Sales.Order', value: fresh },
  NoOrder: { type: 'Sales.Order', value: null },
  I: { type: 'Integer', value: 7 },
  L: { type: 'Long', value: 9007199254740993n },
  D: { type: 'Decimal', value: new Decimal('2.5') },
  S: { type: 'String', value: 'Hello' },
  E: { type: 'String', value: null },
  B: { type: 'Boolean', value: true },
  T: { type: 'DateTime', value: new Date('2024-03-30T12:00:00Z') },
};
const links = new Map([[`${order.id}:Sales.Order_Customer`, customer]]);

type Row = [string, string, EvalOptions?];
const AMS: EvalOptions = { timeZone: 'Europe/Amsterdam' };
const NY: EvalOptions = { timeZone: 'America/New_York' };

const table: Record<string, Row[]> = {
  literals: [
    ['1', '1'],
    ['2147483648', '2147483648n'],
    ['1.50', 'D1.5'],
    ["'it''s'", "'it's'"],
    ['empty', 'empty'],
    ['true', 'true'],
    ['Sales.OrderStatus.Draft', "'Draft'"],
    ['OrderStatus.Shipped', "'Shipped'"],
  ],
  arithmetic: [
    ['1 + 2 * 3', '7'],
    ['(1 + 2) * 3', '9'],
    ['-3 + 4', '1'],
    ['23 mod 5', '3'],
    ['-7 mod 3', '-1'],
    ['3 div 5', 'D0.6'],
    ['12 : 3', 'D4'],
    ['3 : 7', 'D0.4285714285714285714285714285714286'],
    ['(3 : 7) * 7', 'D3.0000000000000000000000000000000002'],
    ['0.1 + 0.2', 'D0.3'],
    ['$D * 3', 'D7.5'],
    ['$I + $L', '9007199254741000n'],
    ['$L * 2', '18014398509481986n'],
    ['$I * 1.5', 'D10.5'],
    ['12345678901234567890.12345678 + 0.00000001', 'D12345678901234567890.12345679'],
    ['99999999999999999999.99999999 * 99999999999999999999.99999999', 'D9999999999999999999999999998000000000000.0000000000000001'],
    ['7.5 mod 2', 'D1.5'],
    ['-$D', 'D-2.5'],
    ['$Order/Total + 0.5', 'D13'],
  ],
  comparison: [
    ['1 = 1.0', 'true'],
    ['$I > 6 and $I < 8', 'true'],
    ['$L = 9007199254740993', 'true'],
    ['$L = 9007199254740992', 'false'],
    ["$S = 'Hello'", 'true'],
    ["'a' < 'b'", 'true'],
    ['$E = empty', 'true'],
    ['$S != empty', 'true'],
    ['$NoOrder = empty', 'true'],
    ['$Order/Status = Sales.OrderStatus.Confirmed', 'true'],
    ['$Order = $Order', 'true'],
    ['$Order = $Fresh', 'false'],
    ['$T > [%CurrentDateTime%]', 'true'],
    ['not($B)', 'false'],
    ['not $B or true', 'true'],
    ['$NoOrder = empty or $NoOrder/Total > 0', 'true'],
    ['false and $NoOrder/Total > 0', 'false'],
    // checking an empty object's member against empty is true (Mendix's special check), not an error
    ['$NoOrder/Total = empty', 'true'],
    ['empty != $NoOrder/Total', 'false'],
    ['$NoOrder/Sales.Order_Customer = empty', 'true'],
    ['$NoOrder/Sales.Order_Customer/CompanyName = empty', 'true'],
    ['$Order/Sales.Order_Customer/CompanyName = empty', 'false'],
  ],
  strings: [
    ["$S + ' world'", "'Hello world'"],
    ["'n=' + $I", "'n=7'"],
    ["'x' + $E + 'y'", "'xy'"],
    ["'d=' + 1.50", "'d=1.5'"],
    ["toUpperCase('thisISmyString')", "'THISISMYSTRING'"],
    ["toLowerCase('thisISmyString')", "'thisismystring'"],
    ["length('thisismystring')", '14'],
    ['length($E)', '0'],
    ["trim(' this is my string     ')", "'this is my string'"],
    ["substring('thisismystring', 6)", "'mystring'"],
    ["substring('funwithmendixapps', 7, 6)", "'mendix'"],
    ["find('thisismystring', 'my')", '6'],
    ["find('thisismystring', 'yourstring')", '-1'],
    ["find('thisismystring', 'i', 5)", '11'],
    ["findLast('thisismystring', 't')", '9'],
    ["findLast('thisismystring', 'i', 5)", '4'],
    ["findLast('thisismystring', 'x')", '-1'],
    ["contains('thisismystring', 'my')", 'true'],
    ["contains('abc', 'B')", 'false'],
    ['contains($S, $E)', 'true'],
    ["startsWith('thisismystring', 'this')", 'true'],
    ["endsWith('thisismystring', 'ring')", 'true'],
    ["isMatch('234hello6432', '^([0-9]+)$')", 'false'],
    ["isMatch('NLG 123.45', '[0-9]')", 'false'],
    ["isMatch('NLG 123.45', '.*[0-9].*')", 'true'],
    ["isMatch('', '.*[0-9].*')", 'false'],
    [
      "replaceAll('this is a string with 75 some numbers 234 thrown in', '([0-9])', 'NUMBER')",
      "'this is a string with NUMBERNUMBER some numbers NUMBERNUMBERNUMBER thrown in'",
    ],
    ["replaceFirst('a1b2', '[0-9]', '$1')", "'a$1b2'"],
    ["replaceAll('Paul S. Mueller, PaulXS. M', '\\QPaul S.\\E', 'P')", "'P Mueller, PaulXS. M'"],
    ["urlEncode('a b&c=d/é!')", "'a+b%26c%3Dd%2F%C3%A9%21'"],
    ["urlDecode('a+b%26c')", "'a b&c'"],
  ],
  math: [
    ['max(1, 5, 3)', '5'],
    ['min(1.5, 2)', 'D1.5'],
    ['max($L, 1)', '9007199254740993n'],
    ['max($T, dateTimeUTC(2025, 1, 1))', '2025-01-01T00:00:00.000Z'],
    ['round(2.5)', '3n'],
    ['round(-2.5)', '-3n'],
    ['round(2.5)', '2n', { roundHalfEven: true }],
    ['round(3.14159, 2)', 'D3.14'],
    ['round(2.345, 2)', 'D2.35'],
    ['round(2.345, 2)', 'D2.34', { roundHalfEven: true }],
    ['round(7)', '7'],
    ['floor(2.7)', '2n'],
    ['floor(-2.1)', '-3n'],
    ['ceil(2.1)', '3n'],
    ['ceil((3 : 7) * 7)', '4n'],
    ['pow(2, 10)', 'D1024'],
    ['pow(1.1, 2)', 'D1.21'],
    ['pow(4, 0.5)', 'D2'],
    ['abs(-3)', '3'],
    ['abs(-2.5)', 'D2.5'],
    ['abs(-$L)', '9007199254740993n'],
    ['sqrt(16)', 'D4'],
    ['sqrt(2)', 'D1.414213562373095048801688724209698'],
  ],
  dates: [
    ['dateTime(2007, 2, 7, 1, 1)', '2007-02-07T00:01:00.000Z', AMS],
    ['dateTimeUTC(2007, 2, 7)', '2007-02-07T00:00:00.000Z'],
    ['dateTime(2024)', '2024-01-01T05:00:00.000Z', NY],
    ['beginOfDay(dateTime(2007, 2, 7, 1, 1))', '2007-02-06T23:00:00.000Z', AMS],
    ['beginOfWeek(dateTime(2007, 2, 7, 1, 1))', '2007-02-04T00:00:00.000Z'],
    ['beginOfMonth(dateTime(2007, 2, 7, 1, 1))', '2007-02-01T00:00:00.000Z'],
    ['beginOfYear(dateTime(2007, 2, 7, 1, 1))', '2007-01-01T00:00:00.000Z'],
    ['endOfDay(dateTimeUTC(2007, 2, 7, 1, 1))', '2007-02-07T23:59:59.999Z'],
    ['endOfWeek(dateTimeUTC(2007, 2, 7))', '2007-02-10T23:59:59.999Z'],
    ['endOfMonth(dateTimeUTC(2024, 2, 7))', '2024-02-29T23:59:59.999Z'],
    ['endOfYear(dateTimeUTC(2024, 2, 7))', '2024-12-31T23:59:59.999Z'],
    ['beginOfDayUTC(dateTime(2007, 2, 7, 0, 30))', '2007-02-06T00:00:00.000Z', AMS],
    // Amsterdam springs forward on 2024-03-31 02:00 (UTC+1 -> UTC+2)
    ['addDays(dateTime(2024, 3, 30, 12, 0), 1)', '2024-03-31T10:00:00.000Z', AMS],
    ['addDaysUTC(dateTime(2024, 3, 30, 12, 0), 1)', '2024-03-31T11:00:00.000Z', AMS],
    ['addHours(dateTime(2024, 3, 30, 12, 0), 24)', '2024-03-31T11:00:00.000Z', AMS],
    ['hoursBetween(dateTime(2024, 3, 31), dateTime(2024, 4, 1))', 'D23', AMS],
    ['daysBetween(dateTime(2024, 3, 31), dateTime(2024, 4, 1))', 'D0.9583333333333334', AMS],
    ['beginOfDay(dateTime(2024, 3, 31, 12, 0))', '2024-03-30T23:00:00.000Z', AMS],
    ['endOfDay(dateTime(2024, 3, 31, 12, 0))', '2024-03-31T21:59:59.999Z', AMS],
    ['trimToDays(dateTime(2024, 10, 27, 12, 0))', '2024-10-26T22:00:00.000Z', AMS],
    // Amsterdam falls back on 2024-10-27 03:00 (UTC+2 -> UTC+1)
    ['addDays(dateTime(2024, 10, 26, 12, 0), 1)', '2024-10-27T11:00:00.000Z', AMS],
    ['hoursBetween(dateTime(2024, 10, 27), dateTime(2024, 10, 28))', 'D25', AMS],
    ['addWeeks(dateTime(2024, 3, 5, 9, 0), 1)', '2024-03-12T13:00:00.000Z', NY],
    ['addMonths(dateTimeUTC(2024, 1, 31), 1)', '2024-02-29T00:00:00.000Z'],
    ['addQuarters(dateTimeUTC(2024, 1, 15), 1)', '2024-04-15T00:00:00.000Z'],
    ['addYears(dateTimeUTC(2024, 2, 29), 1)', '2025-02-28T00:00:00.000Z'],
    ['addMilliseconds(dateTimeUTC(2024, 1, 1), 5)', '2024-01-01T00:00:00.005Z'],
    ['addSeconds(dateTimeUTC(2024, 1, 1), 61)', '2024-01-01T00:01:01.000Z'],
    ['addMinutes(dateTimeUTC(2024, 1, 1), -1)', '2023-12-31T23:59:00.000Z'],
    ['subtractDays(dateTimeUTC(2024, 3, 1), 1)', '2024-02-29T00:00:00.000Z'],
    ['subtractMonthsUTC(dateTimeUTC(2024, 3, 31), 1)', '2024-02-29T00:00:00.000Z'],
    ['subtractHours(dateTimeUTC(2024, 3, 1), 1)', '2024-02-29T23:00:00.000Z'],
    ['subtractYears(dateTimeUTC(2024, 3, 1), 1)', '2023-03-01T00:00:00.000Z'],
    ['subtractWeeksUTC(dateTimeUTC(2024, 3, 1), 1)', '2024-02-23T00:00:00.000Z'],
    ['subtractQuartersUTC(dateTimeUTC(2024, 3, 1), 1)', '2023-12-01T00:00:00.000Z'],
    ['subtractMilliseconds(dateTimeUTC(2024, 3, 1), 1)', '2024-02-29T23:59:59.999Z'],
    ['subtractSeconds(dateTimeUTC(2024, 3, 1), 1)', '2024-02-29T23:59:59.000Z'],
    ['subtractMinutes(dateTimeUTC(2024, 3, 1), 1)', '2024-02-29T23:59:00.000Z'],
    // calendar units in the user's zone keep the wall-clock time across DST; the UTC variants keep the UTC time
    ['subtractDaysUTC(dateTime(2024, 4, 1, 12, 0), 1)', '2024-03-31T10:00:00.000Z', AMS],
    ['subtractDays(dateTime(2024, 4, 1, 12, 0), 1)', '2024-03-31T10:00:00.000Z', AMS],
    ['subtractWeeks(dateTime(2024, 4, 3, 12, 0), 1)', '2024-03-27T11:00:00.000Z', AMS],
    ['addWeeksUTC(dateTime(2024, 3, 27, 12, 0), 1)', '2024-04-03T11:00:00.000Z', AMS],
    ['subtractMonths(dateTime(2024, 4, 15, 12, 0), 1)', '2024-03-15T11:00:00.000Z', AMS],
    ['addMonthsUTC(dateTime(2024, 3, 15, 12, 0), 1)', '2024-04-15T11:00:00.000Z', AMS],
    ['subtractQuarters(dateTime(2024, 4, 15, 12, 0), 1)', '2024-01-15T11:00:00.000Z', AMS],
    ['addQuartersUTC(dateTimeUTC(2024, 11, 30), 1)', '2025-02-28T00:00:00.000Z'],
    ['addYearsUTC(dateTimeUTC(2024, 2, 29), 4)', '2028-02-29T00:00:00.000Z'],
    ['subtractYearsUTC(dateTimeUTC(2024, 2, 29), 1)', '2023-02-28T00:00:00.000Z'],
    ['millisecondsBetween(dateTime(2007, 1, 1, 1, 1, 1), dateTime(2007,1,1,1,1,3))', 'D2000'],
    ['secondsBetween(dateTime(2007, 1, 1, 1, 1, 1), dateTime(2007,1,1,1,2,3))', 'D62'],
    ['minutesBetween(dateTime(2007, 1, 1, 1, 2, 1), dateTime(2007,1,1,1,1,1))', 'D1'],
    ['hoursBetween(dateTime(2007, 1, 1, 3, 31, 1), dateTime(2007,1,1,1,1,1))', 'D2.5'],
    ['daysBetween(dateTime(2007, 2, 13, 1, 1, 1), dateTime(2007,1,1,1,1,1))', 'D43'],
    ['weeksBetween(dateTime(2007, 1, 9, 1, 1, 1), dateTime(2007,1,1,1,1,1))', 'D1.1428571428571428'],
    ['calendarMonthsBetween(dateTime(2007, 1, 1, 10, 1, 1), dateTime(2007, 8, 1, 1, 1, 1))', '7n'],
    ['calendarYearsBetween(dateTime(2007, 1, 1, 10, 1, 1), dateTime(2017, 1, 1, 1, 1, 1))', '10n'],
    ['calendarMonthsBetween(dateTime(2024, 1, 31), dateTime(2024, 2, 29))', '1n'],
    ['calendarMonthsBetween(dateTime(2024, 1, 15), dateTime(2024, 2, 14))', '0n'],
    ['trimToSeconds(epochToDateTime(1700000000123))', '2023-11-14T22:13:20.000Z'],
    ['trimToMinutes(epochToDateTime(1700000000123))', '2023-11-14T22:13:00.000Z'],
    ['trimToHours(epochToDateTime(1700000000123))', '2023-11-14T22:00:00.000Z'],
    ['trimToHours(dateTime(2024, 1, 1, 10, 45))', '2024-01-01T04:30:00.000Z', { timeZone: 'Asia/Kolkata' }],
    ['trimToHoursUTC(dateTime(2024, 1, 1, 10, 45))', '2024-01-01T05:00:00.000Z', { timeZone: 'Asia/Kolkata' }],
    ['trimToDaysUTC(dateTime(2024, 1, 1, 0, 30))', '2023-12-31T00:00:00.000Z', AMS],
    ['trimToMonths(dateTimeUTC(2024, 5, 17, 3))', '2024-05-01T00:00:00.000Z'],
    ['trimToMonthsUTC(dateTimeUTC(2024, 5, 17, 3))', '2024-05-01T00:00:00.000Z'],
    ['trimToYears(dateTimeUTC(2024, 5, 17))', '2024-01-01T00:00:00.000Z'],
    ['trimToYearsUTC(dateTimeUTC(2024, 5, 17))', '2024-01-01T00:00:00.000Z'],
    ['endOfDayUTC(dateTimeUTC(2024, 5, 17, 3))', '2024-05-17T23:59:59.999Z'],
    ['beginOfWeekUTC(dateTimeUTC(2024, 5, 17))', '2024-05-12T00:00:00.000Z'],
    ['endOfWeekUTC(dateTimeUTC(2024, 5, 17))', '2024-05-18T23:59:59.999Z'],
    ['beginOfMonthUTC(dateTimeUTC(2024, 5, 17))', '2024-05-01T00:00:00.000Z'],
    ['endOfMonthUTC(dateTimeUTC(2024, 5, 17))', '2024-05-31T23:59:59.999Z'],
    ['beginOfYearUTC(dateTimeUTC(2024, 5, 17))', '2024-01-01T00:00:00.000Z'],
    ['endOfYearUTC(dateTimeUTC(2024, 5, 17))', '2024-12-31T23:59:59.999Z'],
    ['[%CurrentDateTime%]', '2024-03-15T10:30:00.000Z'],
    ['[%BeginOfCurrentDay%]', '2024-03-14T23:00:00.000Z', AMS],
    ['[%BeginOfCurrentDayUTC%]', '2024-03-15T00:00:00.000Z', AMS],
    ['[%EndOfTomorrow%]', '2024-03-16T23:59:59.999Z'],
    ['[%BeginOfYesterday%]', '2024-03-14T00:00:00.000Z'],
    ['[%BeginOfCurrentWeek%]', '2024-03-10T00:00:00.000Z'],
    ['[%BeginOfCurrentHour%]', '2024-03-15T10:00:00.000Z'],
    ['[%EndOfCurrentMonth%]', '2024-03-31T23:59:59.999Z'],
  ],
  conversion: [
    ['toString(1.50)', "'1.5'"],
    ['toString($L)', "'9007199254740993'"],
    ['toString(empty)', "''"],
    ['toString(Sales.OrderStatus.Draft)', "'Draft'"],
    ['toString($B)', "'true'"],
    ["parseInteger('42')", '42n'],
    ["parseInteger('x', -1)", '-1n'],
    ["parseInteger(' -9007199254740993 ')", '-9007199254740993n'],
    ["parseInteger('9223372036854775807')", '9223372036854775807n'],
    ["parseInteger('9223372036854775808', 0)", '0n'],
    ["parseInteger('1.5', $I)", '7n'],
    // DateTime as Java's Date.toString() in the user's zone (UTC for a non-localized attribute)
    ['toString(dateTimeUTC(2007, 1, 1))', "'Mon Jan 01 01:00:00 GMT+1 2007'", AMS],
    ['toString(dateTime(2007))', "'Mon Jan 01 00:00:00 EST 2007'", NY],
    ["'at ' + dateTimeUTC(2007, 1, 1, 12, 0)", "'at Mon Jan 01 12:00:00 UTC 2007'"],
    ["parseDecimal('3.45')", 'D3.45'],
    ["parseDecimal('x', 0)", 'D0'],
    ["parseDecimal('1e3')", 'D1000'],
    // microflows take a DecimalFormat pattern as the second argument (Mendix's examples)
    ["parseDecimal('3,241.98', '#,###.##')", 'D3241.98'],
    ["parseDecimal('noDecimal', 5.05)", 'D5.05'],
    ["parseDecimal('noDecimal', empty)", 'empty'],
    ['parseDecimal($E, 0)', 'D0'],
    ["parseDecimal('x', '#,##0.00', 1)", 'D1'],
    ["parseDecimal('56%', '#%')", 'D0.56'],
    ["parseDecimal('-$1,234.50', '¤#,##0.00')", 'D-1234.5'],
    ["formatDecimal(1234.56, '¤ #,##0.00')", "'$ 1,234.56'"],
    ["formatDecimal(1234.5, '¤ #,##0.00', 'nl_NL')", "'€ 1.234,50'"],
    ["formatDecimal(0.56, '% ##0')", "'% 56'"],
    ["formatDecimal(1234567.891, '#,###.##')", "'1,234,567.89'"],
    ["formatDecimal(1234.5, '#,##0.00')", "'1,234.50'"],
    ["formatDecimal(0.125, '0.00')", "'0.12'"],
    ["formatDecimal(0.135, '0.00')", "'0.14'"],
    ["formatDecimal(0.5, '#%')", "'50%'"],
    ["formatDecimal(-3.5, '0')", "'-4'"],
    ["formatDecimal(1234.5, '#,##0.00', 'nl_NL')", "'1.234,50'"],
    ["formatDateTime(dateTimeUTC(2024, 3, 31, 14, 5, 9), 'yyyy-MM-dd HH:mm:ss')", "'2024-03-31 16:05:09'", AMS],
    ["formatDateTimeUTC(dateTimeUTC(2024, 3, 31, 14, 5, 9), 'EEE, d MMM yyyy h:mm a')", "'Sun, 31 Mar 2024 2:05 PM'"],
    ["formatDateTime(dateTimeUTC(2024, 1, 2), 'dd/MM/yy ''at'' HH')", "'02/01/24 at 00'"],
    ['formatTime(dateTimeUTC(2024, 1, 2, 15, 4))', "'3:04 PM'"],
    ['formatTimeUTC(dateTimeUTC(2024, 1, 2, 15, 4))', "'3:04 PM'", AMS],
    ['formatDateUTC(dateTimeUTC(2024, 1, 2))', "'1/2/24'"],
    ['formatDate(dateTimeUTC(2024, 3, 30, 23, 30))', "'3/31/24'", AMS],
    ["formatDateTimeUTC(dateTimeUTC(2024, 1, 2), 'D')", "'2'"],
    // 01:30 does not exist in London that night: shifted forward to 02:30 BST
    ["parseDateTime('2024-03-31 01:30', 'yyyy-MM-dd HH:mm')", '2024-03-31T01:30:00.000Z', { timeZone: 'Europe/London' }],
    ["parseDateTime('2024-10-27 12:00', 'yyyy-MM-dd HH:mm')", '2024-10-27T11:00:00.000Z', AMS],
    ["parseDateTimeUTC('31/03/2024', 'dd/MM/yyyy')", '2024-03-31T00:00:00.000Z'],
    // lenient as Java's SimpleDateFormat (Mendix's documented example): day 35 of November is 5 December
    ["parseDateTimeUTC('35-11-2015', 'dd-MM-yyyy', dateTimeUTC(2000))", '2015-12-05T00:00:00.000Z'],
    ["parseDateTime('2024-02-30 25:00', 'yyyy-MM-dd HH:mm')", '2024-03-02T00:00:00.000Z', AMS],
    ["parseDateTime('2022-04-30T22:00:00.000', 'yyyy-MM-dd''T''HH:mm:ss.SSS')", '2022-04-30T20:00:00.000Z', AMS],
    // letters luxon lacks or means differently: k, K, F, W, w and Y (en-US weeks), X, S
    ["formatDateTimeUTC(dateTimeUTC(2024, 1, 2), 'kk KK')", "'24 00'"],
    ["formatDateTimeUTC(dateTimeUTC(2024, 1, 2, 13), 'k K h a')", "'13 1 1 PM'"],
    ["formatDateTimeUTC(dateTimeUTC(2024, 5, 17), 'F W w')", "'3 3 20'"],
    ["formatDateTimeUTC(dateTimeUTC(2024, 12, 30), 'w Y yyyy')", "'1 2025 2024'"],
    ["formatDateTime(dateTimeUTC(2024, 7, 1), 'X XX XXX')", "'+02 +0200 +02:00'", AMS],
    ["formatDateTimeUTC(dateTimeUTC(2024, 7, 1), 'X')", "'Z'"],
    ["formatDateTimeUTC(addMilliseconds(dateTimeUTC(2024, 7, 1), 5), 'S SSS')", "'5 005'"],
    ["parseDateTime('garbage', 'dd/MM/yyyy', dateTimeUTC(2000, 1, 1))", '2000-01-01T00:00:00.000Z'],
    ['dateTimeToEpoch(dateTimeUTC(2024, 1, 1))', '1704067200000n'],
    ['epochToDateTime(1704067200000)', '2024-01-01T00:00:00.000Z'],
    ['getKey(Sales.OrderStatus.Shipped)', "'Shipped'"],
    ['getCaption($Order/Status)', "'Confirmed'"],
  ],
  objects: [
    ['isNew($Fresh)', 'true'],
    ['isNew($Order)', 'false'],
    ['$Order/Number', '42n'],
    ['$Order/Sales.Order_Customer/CompanyName', "'ACME'"],
    ["$Order/Sales.Order_Customer/Sales.Customer/CompanyName + '!'", "'ACME!'"],
    ['$Order/Sales.Order_Customer != empty', 'true'],
    ['$Fresh/Sales.Order_Customer = empty', 'true'],
    ["if $I > 5 then 'big' else 'small'", "'big'"],
    ['if $B then 1 else 2.5', 'D1'],
    ['if false then empty else $S', "'Hello'"],
  ],
};

describe('expression evaluation', () => {
  for (const [group, rows] of Object.entries(table)) {
    describe(group, () => {
      it.each(rows)('%s = %s', (expr, expected, opts) => {
        expect(show(evaluate(model, expr, vars, { links, ...opts }))).toBe(expected);
      });
    });
  }
});

describe('every supported function is table-tested', () => {
  it('covers the function list', () => {
    const all = Object.values(table)
      .flat()
      .map((r) => r[0])
      .join(' ');
    const missing = [...FUNCTIONS.keys()].filter((f) => !new RegExp(`\\b${f}\\(`).test(all) && f !== 'random');
    expect(missing).toEqual([]);
  });
  it('random is in [0, 1)', () => {
    for (let i = 0; i < 50; i++) {
      const v = evaluate(model, 'random()') as Decimal;
      expect(v.gte(0) && v.lt(1)).toBe(true);
    }
  });
});

describe('DateTime attributes with localize: false are read in UTC by the non-UTC functions', () => {
  let people: CompiledModel;
  beforeAll(async () => {
    const dir = writeApp({
      'app.yaml': 'name: People\nversion: 1.0.0\nmodules: [HR]\nsecurity: { level: off }\n',
      'modules/HR/domain-model.yaml': `
entities:
  Person:
    attributes:
      Birthday: { type: DateTime, localize: false }
      Hired: DateTime
`,
    });
    const r = await loadModel(dir);
    if (!r.model) throw new Error(JSON.stringify(r.diagnostics));
    people = r.model;
  });
  // The same instant in both attributes: 2024-03-30 23:30 UTC is 2024-03-31 00:30 in Amsterdam.
  const late = createMxObject('HR.Person', (1n << 48n) | 1n, 'persisted');
  late.values.set('Birthday', new Date('2024-03-30T23:30:00Z'));
  late.values.set('Hired', new Date('2024-03-30T23:30:00Z'));
  // Noon UTC the day before Amsterdam springs forward.
  const noon = createMxObject('HR.Person', (1n << 48n) | 2n, 'persisted');
  noon.values.set('Birthday', new Date('2024-03-30T12:00:00Z'));
  noon.values.set('Hired', new Date('2024-03-30T12:00:00Z'));
  const rows: Row[] = [
    ['formatDate($Late/Birthday)', "'3/30/24'", AMS],
    ['formatDate($Late/Hired)', "'3/31/24'", AMS],
    ['toString($Late/Birthday)', "'Sat Mar 30 23:30:00 UTC 2024'", AMS],
    ['toString($Late/Hired)', "'Sun Mar 31 00:30:00 GMT+1 2024'", AMS],
    ['beginOfDay($Late/Birthday)', '2024-03-30T00:00:00.000Z', AMS],
    ['beginOfDay($Late/Hired)', '2024-03-30T23:00:00.000Z', AMS],
    ['addDays($Noon/Birthday, 1)', '2024-03-31T12:00:00.000Z', AMS],
    ['addDays($Noon/Hired, 1)', '2024-03-31T11:00:00.000Z', AMS],
    ["formatDateTime($Noon/Birthday, 'HH:mm')", "'12:00'", AMS],
    ["formatDateTime($Noon/Hired, 'HH:mm')", "'13:00'", AMS],
    // once in a variable the value is an instant like any other: the user's zone applies
    ['formatDate(addDays($Late/Birthday, 0))', "'3/31/24'", AMS],
  ];
  it.each(rows)('%s = %s', (expr, expected, opts) => {
    const v = { Late: { type: 'HR.Person', value: late }, Noon: { type: 'HR.Person', value: noon } };
    expect(show(evaluate(people, expr, v, opts))).toBe(expected);
  });
});

describe('constants and list lengths', () => {
  it('reads @Module.Constant with its type', () => {
    // app.yaml overrides the default 1000.00 with 5000.00: the effective value is read
    expect(show(evaluate(model, '@Sales.DefaultCreditLimit * 2', vars))).toBe('D10000');
    expect(show(evaluate(model, "'limit ' + @Sales.DefaultCreditLimit", vars))).toBe("'limit 5000'");
  });
  it('counts a list with length()', () => {
    const list = { type: 'List of Sales.Order', value: [order, fresh] };
    expect(show(evaluate(model, 'length($L2)', { L2: list }))).toBe('2');
    expect(show(evaluate(model, 'length($L2) > 1 and length($S) = 5', { L2: list, S: vars.S! }))).toBe('true');
  });
  it('names an unknown constant and a bare @', () => {
    expect(problems(model, '@Sales.Nope + 1')).toEqual(['0:unknown constant @Sales.Nope']);
    expect(problems(model, '@Nope')[0]).toMatch(/^0:'@' must be followed by a qualified constant name/);
  });
});

describe('runtime errors', () => {
  const errs: [string, RegExp][] = [
    ['$NoOrder/Total', /cannot read Total of an empty object \(\$NoOrder\)/],
    ['$NoOrder/Total = 0', /cannot read Total of an empty object/],
    ['1 : 0', /division by zero/],
    ['5 mod 0', /modulo by zero/],
    ["substring('abc', 4)", /start position 4/],
    ["substring('abc', 1, 5)", /runs past the end/],
    ['sqrt(-1)', /negative/],
    ["parseInteger('x')", /not an integer/],
    ["parseDateTime('x', 'yyyy')", /does not match/],
    ['$I + empty', /empty operand/],
    ['2147483647 * 2147483647 * 2147483647', /integer overflow/],
    ["parseInteger('9223372036854775808')", /not an integer in the Long range/],
    ["parseDecimal('1.2.3', '#.##')", /not a decimal number in the format '#.##'/],
    ['parseDecimal($E)', /'' is not a decimal number/],
    ["isMatch('a', '(')", /invalid regular expression/],
    ['dateTime(2024, 2, 30)', /invalid date/],
  ];
  it.each(errs)('%s fails with %s', (expr, msg) => {
    expect(() => evaluate(model, expr, vars, { links })).toThrow(msg);
  });
});

describe('type checking reports the column', () => {
  const v = { Order: 'Sales.Order', I: 'Integer', S: 'String', B: 'Boolean', D: 'Decimal' };
  const rows: [string, string][] = [
    ['$Order/Totall', "7:entity Sales.Order has no attribute 'Totall'"],
    ['$Nope + 1', '0:unknown variable $Nope'],
    ["$I + 'x' = 3", '9:cannot compare String with Integer'],
    ['$I and $B', "0:'and' needs Boolean operands, not Integer"],
    ['if $B then 1', "12:'if … then …' needs an 'else' branch"],
    ['if $I then 1 else 2', "3:the condition of 'if' must be Boolean, not Integer"],
    ["if $B then 1 else 'x'", "0:'then' gives Integer but 'else' gives String"],
    ['$S * 2', "0:'*' needs numbers, not String"],
    ['lenght($S)', "0:unknown function 'lenght'"],
    ['length($S, 1)', '0:length takes 1 argument, not 2'],
    ['substring($S, $B)', '14:substring: argument 2 must be an Integer or Long, not Boolean'],
    ['parseDecimal($S, $B)', '17:parseDecimal: the default value must be a number or empty, not Boolean'],
    ['Sales.OrderStatus.Lost', "0:enumeration Sales.OrderStatus has no value 'Lost' (values: Draft, Confirmed, Shipped, Cancelled)"],
    ['$Order/Status = Sales.Segment.Retail', '14:cannot compare Sales.OrderStatus with Sales.Segment'],
    ['isSynced($Order)', '0:isSynced is not supported: isSynced is only available in nanoflows and the offline client; Kiln runs microflows on the server'],
    ["'abc", '0:unterminated string: a closing quote is missing'],
    ['1 +', '3:the expression is incomplete'],
    ['$Order/Total/X', '13:$Order/Total is an attribute: nothing can follow it'],
    ['$Order/Sales.OrderLine_Order', '7:Sales.OrderLine_Order can only be followed from its owner Sales.OrderLine, not from Sales.Order'],
    ['[%CurrentUser%]', '0:[%CurrentUser%] is for XPath; use $currentUser in expressions'],
  ];
  it.each(rows)('%s', (expr, expected) => {
    expect(problems(model, expr, v)[0]).toBe(expected);
  });
  it('reports every independent problem', () => {
    expect(problems(model, '$A + $B2', {})).toEqual(['0:unknown variable $A', '5:unknown variable $B2']);
  });
});
