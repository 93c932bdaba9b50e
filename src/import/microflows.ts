import { dataType } from './domain.js';
import { last, list, type ModelIndex, moduleOf, obj, str, strings, text } from './model-index.js';
import type { Reporter } from './report.js';
import type { MxObject } from './units.js';

/** Return types of the System module's Java actions that Kiln has built in (src/logic/system-actions.ts). */
const SYSTEM_ACTION_RETURNS: Readonly<Record<string, string>> = { 'System.VerifyPassword': 'Boolean' };

type Json = Record<string, unknown>;
const EXIT = '#exit';

class Unstructured extends Error {}

/** The microflow graph: nodes (events, activities, splits, merges, loops), their normal and error flows. */
class Graph {
  readonly nodes = new Map<string, MxObject>();
  readonly next = new Map<string, { to: string; cases: string[] }[]>();
  readonly error = new Map<string, string>();
  readonly incoming = new Map<string, number>();
  private ipdomCache: Map<string, string> | undefined;

  constructor(doc: MxObject) {
    const collect = (c: MxObject | undefined) => {
      for (const o of list(c?.Objects)) {
        this.nodes.set(str(o.$ID), o);
        if (o.$Type === 'Microflows$LoopedActivity') collect(obj(o.ObjectCollection));
      }
    };
    collect(obj(doc.ObjectCollection));
    const flows = [...list(doc.Flows)];
    for (const o of this.nodes.values()) flows.push(...list(o.Flows));
    for (const f of flows) {
      if (f.$Type !== 'Microflows$SequenceFlow') continue;
      const from = str(f.OriginPointer);
      const to = str(f.DestinationPointer);
      this.incoming.set(to, (this.incoming.get(to) ?? 0) + 1);
      if (f.IsErrorHandler === true) this.error.set(from, to);
      else {
        // Mendix 10 keeps one case in NewCaseValue; older versions a list in CaseValues.
        const values = [...list(f.CaseValues), ...(obj(f.NewCaseValue) ? [obj(f.NewCaseValue)!] : [])];
        const cases = values.map((c) => (c.$Type === 'Microflows$NoCase' ? '' : str(c.Value)));
        this.next.set(from, [...(this.next.get(from) ?? []), { to, cases }]);
      }
    }
  }

  succ(id: string): string[] {
    const s = (this.next.get(id) ?? []).map((f) => f.to);
    return s.length ? s : [EXIT];
  }

  /** Immediate post-dominators (a virtual exit after every end). */
  ipdom(id: string): string | undefined {
    if (!this.ipdomCache) {
      const ids = [...this.nodes.keys()];
      const pdom = new Map<string, Set<string>>();
      const all = new Set([...ids, EXIT]);
      for (const n of ids) pdom.set(n, new Set(all));
      pdom.set(EXIT, new Set([EXIT]));
      let changed = true;
      while (changed) {
        changed = false;
        for (const n of ids) {
          let acc: Set<string> | undefined;
          for (const s of this.succ(n)) {
            const ps = pdom.get(s) ?? new Set([s]);
            acc = acc ? new Set([...acc].filter((x) => ps.has(x))) : new Set(ps);
          }
          const next = new Set(acc ?? []);
          next.add(n);
          if (next.size !== pdom.get(n)!.size) {
            pdom.set(n, next);
            changed = true;
          }
        }
      }
      this.ipdomCache = new Map();
      for (const n of ids) {
        const strict = [...pdom.get(n)!].filter((x) => x !== n);
        // The immediate one: the strict post-dominator that every other strict one post-dominates.
        const imm = strict.find((c) => strict.every((o) => o === c || pdom.get(c)?.has(o) || o === EXIT));
        if (imm) this.ipdomCache.set(n, imm);
      }
    }
    return this.ipdomCache.get(id);
  }

  /** Nodes on a cycle through `id`: reachable from it and reaching it. */
  cycleThrough(id: string): Set<string> {
    const fwd = this.reach(id, (n) => this.succ(n).filter((s) => s !== EXIT));
    if (!fwd.has(id)) return new Set();
    const preds = new Map<string, string[]>();
    for (const [from, fs] of this.next) for (const f of fs) preds.set(f.to, [...(preds.get(f.to) ?? []), from]);
    const back = this.reach(id, (n) => preds.get(n) ?? []);
    return new Set([...fwd].filter((n) => back.has(n)));
  }

  private reach(start: string, step: (n: string) => string[]): Set<string> {
    const seen = new Set<string>();
    const frontier = step(start);
    while (frontier.length) {
      const n = frontier.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      frontier.push(...step(n));
    }
    return seen;
  }
}

interface Loop {
  header: string;
  nodes: Set<string>;
  exit: string | undefined;
}

class Converter {
  readonly notes: string[] = [];
  /** The object-type decision branches being converted, innermost last (cast object reads them). */
  private readonly casts: { readonly variable: string; readonly entity: string }[] = [];
  /** Java actions called (they become TypeScript action stubs). */
  readonly javaActions = new Set<string>();
  /** JavaScript actions called from nanoflows (they become TypeScript stubs for the browser). */
  readonly jsActions = new Set<string>();
  /** Variables that hold the result of a rule a decision calls, by rule (a second call of one rule gets a new name). */
  private readonly ruleResults = new Map<string, number>();
  private steps = 0;

  constructor(
    private readonly javaReturns: Map<string, string | undefined>,
    private readonly g: Graph,
    private readonly language: string,
  ) {}

  /** An attribute by its short name, an association qualified (as Kiln's set and member keys take them). */
  member(q: string): string {
    const parts = q.split('.');
    return parts.length === 3 ? parts[2]! : q;
  }

  /** Converts the path from `id` until `stop` (a join), an end or the loop's header. */
  seq(id: string | undefined, stop: string | undefined, loop: Loop | undefined): Json[] {
    const out: Json[] = [];
    while (id && id !== EXIT && id !== stop) {
      if (++this.steps > 20000) throw new Unstructured('the flow graph could not be structured');
      if (loop && id === loop.header) {
        out.push({ continue: true });
        return out;
      }
      if (loop && !loop.nodes.has(id)) {
        if (id === loop.exit) {
          out.push({ break: true });
          return out;
        }
      }
      const n = this.g.nodes.get(id);
      if (!n) throw new Unstructured(`a flow leads to an unknown object ${id}`);
      const type = str(n.$Type).replace(/^Microflows\$/, '');
      const following = () => this.g.next.get(id!)?.[0]?.to;
      switch (type) {
        case 'StartEvent':
          id = following();
          continue;
        case 'EndEvent': {
          const value = str(n.ReturnValue).trim();
          out.push({ return: value === '' ? null : value });
          return out;
        }
        case 'ErrorEvent':
          out.push({ error: true });
          return out;
        case 'BreakEvent':
          out.push({ break: true });
          return out;
        case 'ContinueEvent':
          out.push({ continue: true });
          return out;
        case 'ExclusiveMerge': {
          const cycle = this.g.cycleThrough(id);
          if (cycle.size && !(loop && loop.header === id)) {
            // The loop's exit: the nearest post-dominator of the header outside the cycle.
            let exit = this.g.ipdom(id);
            while (exit && exit !== EXIT && cycle.has(exit)) exit = this.g.ipdom(exit);
            const inner: Loop = { header: id, nodes: cycle, exit: exit === EXIT ? undefined : exit };
            const body = this.seq(following(), undefined, inner);
            if (body.at(-1)?.continue) body.pop();
            out.push({ while: { condition: true, body } });
            if (!inner.exit) return out;
            id = inner.exit;
            continue;
          }
          id = following();
          continue;
        }
        case 'ExclusiveSplit':
        case 'InheritanceSplit': {
          const join = this.g.ipdom(id);
          const flows = this.g.next.get(id) ?? [];
          const branch = (value: string) => {
            const f = flows.find((x) => x.cases.includes(value));
            return f ? this.seq(f.to, join === EXIT ? undefined : join, loop) : [];
          };
          if (type === 'InheritanceSplit') {
            // Each branch's cast object actions cast the split's variable to the branch's entity.
            const variable = str(n.SplitVariableName);
            const cases: Json = {};
            for (const v of [...new Set(flows.flatMap((f) => f.cases))]) {
              this.casts.push({ variable, entity: v });
              try {
                cases[v === '' ? 'empty' : v] = branch(v);
              } finally {
                this.casts.pop();
              }
            }
            out.push({ ...(str(n.Caption) ? { caption: str(n.Caption) } : {}), decision: { on: `$${variable}`, cases } });
            if (join === undefined || join === EXIT) return out;
            id = join;
            continue;
          }
          const cond = obj(n.SplitCondition);
          let expr = str(cond?.Expression);
          if (cond?.$Type === 'Microflows$RuleSplitCondition') {
            // A rule is a microflow returning Boolean or an enumeration (imported as one): the decision
            // calls it into a variable, then decides on that variable, as Mendix evaluates it.
            const call = obj(cond.RuleCall);
            // The SDK names the rule `Rule`; Studio Pro stores it under `Microflow` (rules share the microflows' names).
            const rule = str(call?.Rule) || str(call?.Microflow);
            const count = (this.ruleResults.get(rule) ?? 0) + 1;
            this.ruleResults.set(rule, count);
            const into = `${last(rule)}Result${count > 1 ? count : ''}`;
            const args: Json = {};
            for (const p of list(call?.ParameterMappings)) args[last(str(p.Parameter))] = str(p.Argument);
            out.push({ call: { microflow: rule, ...(Object.keys(args).length ? { with: args } : {}), into } });
            expr = `$${into}`;
          }
          const values = [...new Set(flows.flatMap((f) => f.cases))];
          if (values.every((v) => v === 'true' || v === 'false')) {
            const then = branch('true');
            const otherwise = branch('false');
            out.push({
              ...(str(n.Caption) ? { caption: str(n.Caption) } : {}),
              decision: { if: expr, then, ...(otherwise.length ? { else: otherwise } : {}) },
            });
          } else {
            const cases: Json = {};
            for (const v of values) cases[v === '' ? 'empty' : v] = branch(v);
            out.push({ ...(str(n.Caption) ? { caption: str(n.Caption) } : {}), decision: { on: expr, cases } });
          }
          if (join === undefined || join === EXIT) return out;
          id = join;
          continue;
        }
        case 'LoopedActivity': {
          const source = obj(n.LoopSource);
          const inner = [...this.g.nodes.entries()].filter(([k]) => list(obj(n.ObjectCollection)?.Objects).some((o) => str(o.$ID) === k));
          const start = inner.find(([k, o]) => !this.g.incoming.get(k) && o.$Type !== 'Microflows$Annotation')?.[0];
          const body = this.seq(start, undefined, undefined);
          if (source?.$Type === 'Microflows$WhileLoopCondition') out.push({ while: { condition: str(source.WhileExpression), body } });
          else {
            const over = str(source?.ListVariableName ?? n.IteratedListVariableName);
            const as = str(source?.VariableName ?? n.LoopVariableName);
            out.push({ loop: { over: `$${over}`, as, body } });
          }
          id = following();
          continue;
        }
        case 'ActionActivity': {
          const act = this.action(obj(n.Action), str(n.Caption));
          const handling = str(obj(n.Action)?.ErrorHandlingType);
          const errTo = this.g.error.get(id);
          if (act) {
            if (handling === 'Continue') act.onError = 'continue';
            else if (errTo && (handling === 'CustomWithRollBack' || handling === 'CustomWithoutRollBack')) {
              const body = this.seq(errTo, following(), undefined);
              act.onError = handling === 'CustomWithRollBack' ? { customWithRollback: body } : { customWithoutRollback: body };
            }
            out.push(act);
          }
          id = following();
          continue;
        }
        case 'Annotation':
        case 'MicroflowParameter':
        case 'MicroflowParameterObject':
          id = following();
          continue;
        default:
          this.notes.push(`${type} left out`);
          id = following();
      }
    }
    return out;
  }

  private template(t: unknown): { message: string; params?: string[] } {
    const o = obj(t);
    // StringTemplate: Text is the string; TextTemplate: Text is a translatable Texts$Text.
    const message = obj(o?.Text) ? text(o?.Text, this.language) : str(o?.Text);
    const params = list(o?.Parameters).map((p) => str(p.Expression));
    return { message, ...(params.length ? { params } : {}) };
  }

  private items(items: unknown): { set?: Json; add?: Json; remove?: Json } {
    const out: { set?: Json; add?: Json; remove?: Json } = {};
    for (const it of list(items)) {
      const member = this.member(str(it.Attribute) || str(it.Association));
      const kind = str(it.Type) === 'Add' ? 'add' : str(it.Type) === 'Remove' ? 'remove' : 'set';
      out[kind] = { ...(out[kind] ?? {}), [member]: str(it.Value) };
    }
    return out;
  }

  /**
   * A Mendix REST call (`Microflows$RestCallAction`) as Kiln's `callRest`: method, location
   * template, headers, Basic credentials, timeout, proxy, the request body (export mapping,
   * string template or a FileDocument) and what is done with the answer. What has no Kiln form
   * is noted and left out of the activity.
   */
  private restCall(a: MxObject): Json {
    const http = obj(a.HttpConfiguration);
    const out: Json = { method: str(http?.HttpMethod).toUpperCase() || 'GET' };
    const template = obj(http?.CustomLocationTemplate);
    if (str(template?.Text)) {
      out.location = str(template?.Text);
      const params = list(template?.Parameters).map((p) => str(p.Expression));
      if (params.length) out.params = params;
    } else {
      // Before templates, the location was one String expression.
      out.location = '{1}';
      out.params = [str(http?.CustomLocation) || "''"];
    }
    const headers: Json = {};
    for (const h of list(http?.HttpHeaderEntries)) headers[str(h.Key)] = str(h.Value).trim();
    if (Object.keys(headers).length) out.headers = headers;
    if (http?.UseHttpAuthentication === true)
      out.basicAuth = { user: str(http.HttpAuthenticationUserName) || "''", password: str(http.HttpAuthenticationPassword) || "''" };
    if (str(http?.ClientCertificate)) this.notes.push(`REST call: client certificate ${str(http?.ClientCertificate)} left out (Kiln has none yet)`);
    if (a.UseRequestTimeOut === true) {
      const t = str(a.TimeOutExpression).trim();
      if (/^\d+(\.\d+)?$/.test(t)) out.timeout = Number(t);
      else this.notes.push(`REST call: timeout expression ${t} left out (Kiln's timeout is a number of seconds; the default 300 applies)`);
    }
    const proxyType = str(a.RequestProxyType);
    if (proxyType === 'NoProxy') out.proxy = 'none';
    else if (proxyType === 'CustomProxy') {
      const p = obj(a.ProxyConfiguration);
      const use = str(p?.UseConfigurationExpression).trim();
      if (use && use !== 'true') this.notes.push(`REST call: the proxy is used always, not only when ${use} (Kiln's proxy has no condition)`);
      out.proxy = {
        host: str(p?.HostExpression) || "''",
        port: str(p?.PortExpression) || '0',
        ...(str(p?.UsernameExpression) ? { user: str(p?.UsernameExpression) } : {}),
        ...(str(p?.PasswordExpression) ? { password: str(p?.PasswordExpression) } : {}),
      };
    }
    this.restBody(a, out);
    this.restResult(a, out);
    return out;
  }

  private restBody(a: MxObject, out: Json): void {
    const req = obj(a.RequestHandling);
    const type = str(req?.$Type).replace(/^Microflows\$/, '');
    if (type === 'MappingRequestHandling') {
      if (str(req?.ContentType) === 'Xml') this.notes.push(`REST call: XML request body (mapping ${str(req?.MappingId)}) left out (Kiln maps JSON)`);
      else out.exportMapping = { mapping: str(req?.MappingId), value: `$${str(req?.MappingVariableName)}` };
    } else if (type === 'CustomRequestHandling') {
      const body = templateExpression(obj(req?.Template));
      // Kiln sends a body only with the methods that carry one (kiln check refuses it on the others).
      if (body !== undefined && ['POST', 'PUT', 'PATCH', 'OPTIONS'].includes(String(out.method))) out.body = body;
      else if (body !== undefined)
        this.notes.push(`REST call: the body of a ${String(out.method)} request left out (Kiln sends one with POST, PUT, PATCH and OPTIONS)`);
    } else if (type === 'BinaryRequestHandling') {
      const e = str(req?.Expression).trim();
      if (/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(e)) out.fileBody = e;
      else this.notes.push(`REST call: binary body ${e} left out (Kiln sends a FileDocument variable's contents)`);
    } else if (type === 'FormDataRequestHandling') this.notes.push('REST call: form-data (multipart) body left out (no Kiln form yet)');
    else if (type) this.notes.push(`REST call: request body ${type} left out`);
  }

  private restResult(a: MxObject, out: Json): void {
    const res = obj(a.ResultHandling);
    const variable = str(res?.ResultVariableName);
    const type = str(a.ResultHandlingType);
    const call = obj(res?.ImportMappingCall);
    if (type === 'Mapping' && call) {
      if (str(call.ContentType) === 'Xml') {
        this.notes.push(`REST call: XML answer (mapping ${str(call.ReturnValueMapping)}) left out (Kiln maps JSON); the body is kept as a String`);
        if (variable) out.into = variable;
        return;
      }
      out.response = { importMapping: str(call.ReturnValueMapping) };
      if (call.ForceSingleOccurrence === true) this.notes.push('REST call: "force single occurrence" left out (the mapping decides one object or a list)');
    } else if (type === 'HttpResponse') out.response = 'httpResponse';
    else if (type === 'None') out.response = 'ignore';
    else if (type === 'FileDocument') out.response = { fileDocument: str(obj(res?.VariableType)?.Entity) || 'System.FileDocument' };
    if (variable && out.response !== 'ignore') out.into = variable;
  }

  private commitMode(v: unknown): unknown {
    return str(v) === 'Yes' ? true : str(v) === 'YesWithoutEvents' ? 'withoutEvents' : undefined;
  }

  /** One action; undefined (with a note) when Kiln has no form for it. */
  private action(a: MxObject | undefined, caption: string): Json | undefined {
    const type = str(a?.$Type).replace(/^Microflows\$/, '');
    const c = (x: Json): Json => (caption && caption !== 'Activity' ? { caption, ...x } : x);
    if (!a) return undefined;
    switch (type) {
      case 'RetrieveAction': {
        const src = obj(a.RetrieveSource);
        if (src?.$Type === 'Microflows$AssociationRetrieveSource') {
          return c({ retrieve: { from: `$${str(src.StartVariableName)}/${str(src.AssociationId)}`, into: str(a.ResultVariableName) } });
        }
        const r: Json = { from: str(src?.Entity) };
        if (str(src?.XpathConstraint)) r.xpath = str(src?.XpathConstraint);
        const sort = list(obj(src?.NewSortings)?.Sortings).map((s) => {
          const attr = last(str(obj(s.AttributeRef)?.Attribute ?? s.Attribute));
          return str(s.SortOrder) === 'Descending' ? `${attr} desc` : attr;
        });
        if (sort.length) r.sort = sort;
        const range = obj(src?.Range);
        if (range?.$Type === 'Microflows$ConstantRange' && range.SingleObject === true) r.range = 'first';
        else if (range?.$Type === 'Microflows$CustomRange') {
          r.range = {
            ...(str(range.OffsetExpression) ? { offset: str(range.OffsetExpression) } : {}),
            ...(str(range.LimitExpression) ? { amount: str(range.LimitExpression) } : {}),
          };
        }
        r.into = str(a.ResultVariableName);
        return c({ retrieve: r });
      }
      case 'CreateChangeAction':
      case 'CreateObjectAction': {
        const commit = this.commitMode(a.Commit);
        const { set } = this.items(a.Items);
        return c({
          create: {
            entity: str(a.Entity),
            ...(set ? { set } : {}),
            ...(commit !== undefined ? { commit } : {}),
            ...(a.RefreshInClient === true ? { refresh: true } : {}),
            into: str(a.VariableName),
          },
        });
      }
      case 'ChangeAction':
      case 'ChangeObjectAction': {
        const commit = this.commitMode(a.Commit);
        return c({
          change: {
            object: `$${str(a.ChangeVariableName)}`,
            ...this.items(a.Items),
            ...(commit !== undefined ? { commit } : {}),
            ...(a.RefreshInClient === true ? { refresh: true } : {}),
          },
        });
      }
      case 'CommitAction':
        return c({
          commit: {
            objects: `$${str(a.CommitVariableName)}`,
            ...(a.WithEvents === false ? { events: false } : {}),
            ...(a.RefreshInClient === true ? { refresh: true } : {}),
          },
        });
      case 'DeleteAction':
        return c({ delete: `$${str(a.DeleteVariableName)}` });
      case 'RollbackAction':
        return c({ rollback: `$${str(a.RollbackVariableName)}` });
      case 'CreateVariableAction':
        return c({
          createVariable: {
            name: str(a.VariableName),
            type: dataType(obj(a.VariableType)) ?? 'String',
            ...(str(a.InitialValue) ? { value: str(a.InitialValue) } : {}),
          },
        });
      case 'ChangeVariableAction':
        return c({ changeVariable: { name: str(a.ChangeVariableName), value: str(a.Value) } });
      case 'MicroflowCallAction': {
        const call = obj(a.MicroflowCall);
        const mf = str(call?.Microflow);
        const args: Json = {};
        for (const p of list(call?.ParameterMappings)) args[last(str(p.Parameter))] = str(p.Argument);
        const into = a.UseReturnVariable === true && str(a.ResultVariableName) ? { into: str(a.ResultVariableName) } : {};
        return c({ call: { microflow: mf, ...(Object.keys(args).length ? { with: args } : {}), ...into } });
      }
      case 'NanoflowCallAction': {
        // From a nanoflow: Kiln's call activity runs a nanoflow or a microflow by name.
        const call = obj(a.NanoflowCall);
        const args: Json = {};
        for (const p of list(call?.ParameterMappings)) args[last(str(p.Parameter))] = str(p.Argument);
        const into =
          a.UseReturnVariable === true && str(a.OutputVariableName ?? a.ResultVariableName) ? { into: str(a.OutputVariableName ?? a.ResultVariableName) } : {};
        return c({ call: { microflow: str(call?.Nanoflow), ...(Object.keys(args).length ? { with: args } : {}), ...into } });
      }
      case 'LogMessageAction': {
        const level = str(a.Level).toLowerCase();
        return c({
          log: {
            level: ['trace', 'debug', 'info', 'warning', 'error', 'critical'].includes(level) ? level : 'info',
            ...(str(a.Node) ? { node: str(a.Node) } : {}),
            ...this.template(a.MessageTemplate),
            ...(a.IncludeLatestStackTrace === true ? { includeLatestStackTrace: true } : {}),
          },
        });
      }
      case 'ShowMessageAction': {
        const t = str(a.Type);
        return c({
          showMessage: {
            type: t === 'Error' ? 'error' : t === 'Warning' ? 'warning' : 'info',
            ...this.template(a.Template),
            ...(a.Blocking === false ? { blocking: false } : {}),
          },
        });
      }
      case 'ShowFormAction':
      case 'ShowPageAction': {
        const settings = obj(a.FormSettings ?? a.PageSettings);
        const page = str(settings?.Form ?? settings?.Page);
        if (!page) break;
        // Mendix 9 passes one object by name; Mendix 10 maps page parameters (Kiln's pages take one object).
        const mapped = list(settings?.ParameterMappings).map((m) => str(m.Argument).trim());
        const passed = str(a.PassedObjectVariableName) || (mapped[0]?.startsWith('$') ? mapped[0].slice(1) : '');
        return c({ showPage: { page, ...(passed ? { object: `$${passed}` } : {}) } });
      }
      case 'CloseFormAction':
      case 'ClosePageAction': {
        const n = str(a.NumberOfPagesToClose).trim();
        if (n && n !== '1') this.notes.push(`close page of ${n} pages closes one page in Kiln`);
        return c({ closePage: true });
      }
      case 'ValidationFeedbackAction':
        return c({
          validationFeedback: {
            object: `$${str(a.ValidationVariableName)}`,
            member: this.member(str(a.Attribute) || str(a.Association)),
            ...this.template(a.FeedbackTemplate),
          },
        });
      case 'AggregateListAction': {
        const fn: Record<string, string> = {
          Count: 'count',
          Sum: 'sum',
          Average: 'average',
          Minimum: 'min',
          Maximum: 'max',
          All: 'all',
          Any: 'any',
          Reduce: 'reduce',
        };
        const f = fn[str(a.AggregateFunction)];
        if (!f) break;
        const byExpression = a.UseExpression === true || f === 'all' || f === 'any' || f === 'reduce';
        const reduceType = f === 'reduce' ? dataType(obj(a.ReduceReturnDataType)) : undefined;
        return c({
          aggregate: {
            list: `$${str(a.InputListVariableName)}`,
            function: f,
            ...(byExpression ? { expression: str(a.Expression) } : str(a.Attribute) ? { attribute: last(str(a.Attribute)) } : {}),
            ...(f === 'reduce' ? { initial: str(a.ReduceInitialValueExpression), ...(reduceType ? { returns: reduceType } : {}) } : {}),
            into: str(a.OutputVariableName),
          },
        });
      }
      case 'ListOperationsAction': {
        const op = obj(a.NewOperation);
        const kinds: Record<string, string> = {
          Union: 'union',
          Intersect: 'intersect',
          Subtract: 'subtract',
          Contains: 'contains',
          Equals: 'equals',
          ListEquals: 'equals',
          Sort: 'sort',
          Filter: 'filter',
          Find: 'find',
          FilterByExpression: 'filterByExpression',
          FindByExpression: 'findByExpression',
          Head: 'head',
          Tail: 'tail',
          ListRange: 'range',
        };
        const operation = kinds[str(op?.$Type).replace(/^Microflows\$/, '')];
        if (!op || !operation) break;
        const d: Json = { operation, list: `$${str(op.ListName)}` };
        if (str(op.SecondListOrObjectName)) d.other = `$${str(op.SecondListOrObjectName)}`;
        if (operation === 'filter' || operation === 'find') {
          d.attribute = this.member(str(op.Attribute) || str(op.Association));
          d.value = str(op.Expression);
        } else if (str(op.Expression)) d.expression = str(op.Expression);
        if (operation === 'sort') {
          d.sort = list(obj(op.Sortings)?.Sortings).map((s) => {
            const attr = last(str(obj(s.AttributeRef)?.Attribute ?? s.Attribute));
            return str(s.SortOrder) === 'Descending' ? `${attr} desc` : attr;
          });
        }
        if (operation === 'range') {
          const range = obj(op.CustomRange) ?? op;
          if (str(range.OffsetExpression)) d.offset = str(range.OffsetExpression);
          if (str(range.LimitExpression)) d.amount = str(range.LimitExpression);
        }
        d.into = str(a.ResultVariableName);
        return c({ listOperation: d });
      }
      case 'JavaActionCallAction': {
        const name = str(a.JavaAction);
        const args: Json = {};
        for (const p of list(a.ParameterMappings)) {
          const v = obj(p.Value);
          args[last(str(p.Parameter))] = str(v?.Argument ?? v?.Expression ?? p.Argument);
        }
        const returns = this.javaReturns.get(name) ?? SYSTEM_ACTION_RETURNS[name];
        const into = a.UseReturnVariable === true && str(a.ResultVariableName) && returns ? { into: str(a.ResultVariableName), returns } : {};
        this.javaActions.add(name);
        return c({ action: { name, ...(Object.keys(args).length ? { with: args } : {}), ...into } });
      }
      case 'JavaScriptActionCallAction': {
        // Only nanoflows call JavaScript actions: Kiln's nanoflow action runs modules/<Module>/javascript/<Name>.ts.
        const name = str(a.JavaScriptAction);
        const args: Json = {};
        for (const p of list(a.ParameterMappings)) {
          const v = obj(p.ParameterValue) ?? obj(p.Value);
          // An entity type parameter gets the entity's name, as Mendix passes it to a JavaScript action.
          const entity = str(v?.$Type).endsWith('EntityTypeCodeActionParameterValue') && str(v?.Entity) ? `'${str(v?.Entity)}'` : '';
          const arg = entity || str(v?.Argument ?? v?.Expression ?? p.Argument);
          if (arg) args[last(str(p.Parameter))] = arg;
          else
            this.notes.push(
              `JavaScript action ${name}: argument ${last(str(p.Parameter))} (${str(v?.$Type).replace(/^Microflows\$/, '') || 'no value'}) left out`,
            );
        }
        const returns = this.javaReturns.get(name);
        const variable = str(a.OutputVariableName ?? a.ResultVariableName);
        if (a.UseReturnVariable === true && variable && returns === undefined)
          this.notes.push(`JavaScript action ${name}: its result ${variable} has no Kiln type, not kept`);
        const into = a.UseReturnVariable === true && variable && returns ? { into: variable, returns } : {};
        this.jsActions.add(name);
        return c({ action: { name, ...(Object.keys(args).length ? { with: args } : {}), ...into } });
      }
      case 'RestCallAction':
        return c({ callRest: this.restCall(a) });
      case 'ImportXmlAction':
      case 'ExportXmlAction': {
        const mapping =
          type === 'ImportXmlAction'
            ? str(obj(obj(a.ResultHandling)?.ImportMappingCall)?.ReturnValueMapping)
            : str(a.Mapping) || str(obj(a.RequestHandling)?.MappingId);
        this.notes.push(
          `${type === 'ImportXmlAction' ? 'import' : 'export'} with mapping ${mapping} left out (Kiln runs mappings in callRest and published REST operations; it has no activity that runs one alone)`,
        );
        return undefined;
      }
      case 'CastAction': {
        const ctx = this.casts.at(-1);
        if (!ctx || !ctx.entity) break;
        return c({ cast: { object: `$${ctx.variable}`, to: ctx.entity, into: str(a.VariableName ?? a.OutputVariableName) } });
      }
      case 'CreateListAction':
        return c({ createList: { entity: str(a.Entity), into: str(a.VariableName) } });
      case 'ChangeListAction': {
        const op: Record<string, string> = { Add: 'add', Remove: 'remove', Clear: 'clear', Set: 'replace' };
        return c({
          changeList: { list: `$${str(a.ChangeVariableName)}`, operation: op[str(a.Type)] ?? 'add', ...(str(a.Value) ? { value: str(a.Value) } : {}) },
        });
      }
      default:
        break;
    }
    this.notes.push(`${type} ${caption && caption !== 'Activity' ? `'${caption}' ` : ''}left out (no Kiln activity yet)`);
    return undefined;
  }
}

/**
 * A Mendix microflow as a Kiln microflow file: parameters, return type, roles and the structured body.
 * A nanoflow (`kind`) is the same graph in a nanoflow file, which has no roles or entity access. A rule
 * (a microflow returning Boolean or an enumeration that decisions call) becomes a microflow without roles:
 * only other microflows call it.
 */
export function convertMicroflow(
  index: ModelIndex,
  module: string,
  name: string,
  doc: MxObject,
  reporter: Reporter,
  javaActions: Set<string>,
  kind: 'microflow' | 'nanoflow' | 'rule' = 'microflow',
  jsActions: Set<string> = new Set(),
): Json {
  const out: Json = {};
  const params: Json = {};
  for (const o of list(obj(doc.ObjectCollection)?.Objects)) {
    if (o.$Type === 'Microflows$MicroflowParameter' || o.$Type === 'Microflows$MicroflowParameterObject' || o.$Type === 'Microflows$RuleParameter') {
      params[str(o.Name)] = dataType(obj(o.VariableType ?? o.ParameterType)) ?? 'String';
    }
  }
  if (Object.keys(params).length) out.parameters = params;
  const returns = dataType(obj(doc.MicroflowReturnType));
  if (returns) out.returns = returns;
  const roles = strings(doc.AllowedModuleRoles).map((q) => (moduleOf(q) === module ? last(q) : q));
  if (roles.length && kind === 'microflow') out.allowedRoles = roles;
  if (doc.ApplyEntityAccess === true && kind === 'microflow') out.applyEntityAccess = true;
  const g = new Graph(doc);
  // Java and JavaScript actions by name (Mendix names are unique per module across document kinds).
  const javaReturns = new Map(
    [...index.documents('JavaActions$JavaAction'), ...index.documents('JavaScriptActions$JavaScriptAction')].map((d) => [
      `${d.module}.${d.name}`,
      // '' for an action that returns nothing (Mendix still names an output variable for it, which never holds a value).
      str(obj(d.unit.doc.JavaReturnType)?.$Type) === 'CodeActions$VoidType' ? '' : codeType(obj(d.unit.doc.JavaReturnType)),
    ]),
  );
  const conv = new Converter(javaReturns, g, index.language);
  const start = [...g.nodes.entries()].find(([, o]) => o.$Type === 'Microflows$StartEvent')?.[0];
  try {
    const body = conv.seq(start, undefined, undefined);
    if (body.at(-1)?.return === null) body.pop();
    out.body = body;
    reporter.count(kind, conv.notes, `${module}.${name}`);
  } catch (e) {
    if (!(e instanceof Unstructured)) throw e;
    out.body = [{ error: { message: `Imported from Mendix without its body: ${e.message}` } }];
    reporter.count(kind, [...conv.notes, `body left out: ${e.message}`], `${module}.${name}`);
  }
  for (const j of conv.javaActions) javaActions.add(j);
  for (const j of conv.jsActions) jsActions.add(j);
  if (str(doc.Documentation)) out.documentation = str(doc.Documentation);
  return out;
}

/**
 * A Mendix string template (text with `{1}`, `{2}` ... and their expressions) as one String
 * expression: its pieces joined with `+`, each parameter through `toString`.
 */
function templateExpression(t: MxObject | undefined): string | undefined {
  const text = str(t?.Text);
  if (!text) return undefined;
  const params = list(t?.Parameters).map((p) => str(p.Expression));
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const parts: string[] = [];
  let at = 0;
  for (const m of text.matchAll(/\{(\d+)\}/g)) {
    const p = params[Number(m[1]) - 1];
    if (p === undefined) continue;
    if (m.index > at) parts.push(quote(text.slice(at, m.index)));
    parts.push(`toString(${p})`);
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push(quote(text.slice(at)));
  return parts.join(' + ');
}

/** A Java action's `CodeActions$...` type as a Kiln type (undefined: nothing, or no Kiln form). */
function codeType(t: MxObject | undefined): string | undefined {
  const type = str(t?.$Type).replace(/^CodeActions\$/, '');
  const simple: Record<string, string> = {
    StringType: 'String',
    IntegerType: 'Integer',
    LongType: 'Long',
    DecimalType: 'Decimal',
    FloatType: 'Decimal',
    BooleanType: 'Boolean',
    DateTimeType: 'DateTime',
  };
  if (simple[type]) return simple[type];
  if (type === 'EnumerationType') return str(t?.Enumeration);
  if (type === 'ConcreteEntityType') return str(t?.Entity);
  if (type === 'ListType') return `List of ${str(obj(t?.Parameter)?.Entity)}`;
  return undefined;
}

/** The line that marks an action file as an unwritten stub (a re-import may replace it). */
export const STUB_MARK = 'kiln import: stub';

/** A TypeScript action standing in for a Mendix Java action: it fails with a clear message until written. */
export function javaActionStub(index: ModelIndex, qualified: string): string {
  const doc = index.documents('JavaActions$JavaAction').find((d) => `${d.module}.${d.name}` === qualified)?.unit.doc;
  const params: Record<string, string> = {};
  for (const p of list(doc?.Parameters)) {
    const t = codeType(obj(obj(p.ParameterType)?.Type) ?? obj(p.ParameterType));
    if (t) params[str(p.Name)] = t;
  }
  const returns = codeType(obj(doc?.JavaReturnType));
  const file = `modules/${moduleOf(qualified)}/actions/${last(qualified)}.ts`;
  return [
    `// Imported from Mendix: the Java action ${qualified}. Kiln runs TypeScript actions (docs/microflows.md);`,
    `// write its body here and delete this line (${STUB_MARK}). Until then every call fails with the message below.`,
    'export default {',
    `  parameters: ${JSON.stringify(params)},`,
    ...(returns ? [`  returns: ${JSON.stringify(returns)},`] : []),
    '  run(): never {',
    `    throw new Error(${JSON.stringify(`The Java action ${qualified} was imported from Mendix without its code: write ${file}`)});`,
    '  },',
    '};',
    '',
  ].join('\n');
}

/** TypeScript's name for a Kiln type in a JavaScript action's arguments (docs/nanoflows.md). */
function browserType(kiln: string | undefined): string {
  if (!kiln) return 'unknown';
  if (kiln === 'String') return 'string';
  if (kiln === 'Boolean') return 'boolean';
  if (kiln === 'DateTime') return 'Date';
  if (['Integer', 'Long', 'Decimal'].includes(kiln)) return 'unknown /* a decimal.js Decimal */';
  if (kiln.startsWith('List of')) return 'unknown[]';
  return 'unknown';
}

/**
 * A TypeScript JavaScript action (`modules/<Module>/javascript/<Name>.ts`) standing in for a Mendix
 * JavaScript action a nanoflow calls: it fails in the browser with a clear message until written.
 */
export function javaScriptActionStub(index: ModelIndex, qualified: string): string {
  const doc = index.documents('JavaScriptActions$JavaScriptAction').find((d) => `${d.module}.${d.name}` === qualified)?.unit.doc;
  const params = list(doc?.Parameters).map((p) => {
    const t = codeType(obj(obj(p.ParameterType)?.Type) ?? obj(p.ParameterType));
    return `${JSON.stringify(str(p.Name))}: ${browserType(t)}${t ? ` /* ${t} */` : ''}`;
  });
  const returns = codeType(obj(doc?.JavaReturnType));
  const file = `modules/${moduleOf(qualified)}/javascript/${last(qualified)}.ts`;
  const documentation = str(doc?.Documentation)
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l) => `// ${l}`);
  return [
    `// Imported from Mendix: the JavaScript action ${qualified}${returns ? ` (returns ${returns})` : ''}. Kiln runs a nanoflow's`,
    `// JavaScript actions written in TypeScript in the browser (docs/nanoflows.md); write its body here and delete`,
    `// this line (${STUB_MARK}). Until then every call fails with the message below.`,
    ...documentation,
    `export default function (_args: { ${params.join('; ')} }): never {`,
    `  throw new Error(${JSON.stringify(`The JavaScript action ${qualified} was imported from Mendix without its code: write ${file}`)});`,
    '}',
    '',
  ].join('\n');
}
