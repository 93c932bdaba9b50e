// Splits the two windows that `instructions.mjs` dumped under callgrind (INSTR_TOGGLE=<file>) by kind
// of work, per request: V8's optimizing compilers and parser (work a long-running server is done with
// once its hot code is compiled), the garbage collector (its share moves by up to ~0.2 M between runs:
// a window holds zero or one major GC, scheduled by time) and everything else (Kiln's and Node's
// JavaScript, V8's builtins and runtime, libc, OpenSSL) — the steadiest of the three.
//   node bench/client-api/instructions-split.mjs /tmp/cg.out [500,1500]
// The windows' sizes default to instructions.mjs's WINDOWS.
import { execFileSync } from 'node:child_process';

const file = process.argv[2];
if (!file) throw new Error('usage: instructions-split.mjs <callgrind out file> [first,second window sizes]');
const sizes = (process.argv[3] ?? process.env.WINDOWS ?? '500,1500').split(',').map(Number);

const COMPILER =
  /v8::internal::(compiler|maglev|turboshaft|baseline|interpreter::BytecodeGenerator|Parser|PreParser|Compiler::|OptimizingCompileDispatcher)|Builtins_Compile|v8::internal::wasm/;
const GC =
  /v8::internal::(Heap|Scavenge|Scavenger|Marking|MarkCompact|ConcurrentMarking|MinorMarkCompact|Sweeper|Evacuat|RecordMigratedSlot|IncrementalMarking|MemoryAllocator|MemoryChunk|PagedSpace|NewSpace|SemiSpace|FreeList|LocalHeap|GCTracer|RememberedSet|SlotSet|TypedSlot|ArrayBufferSweeper|WeakObjects|StringForwardingTable|ExternalStringTable|GlobalHandles|TracedHandles)|MarkingVisitor|ScavengeVisitor|RootScavengeVisitor|IterateObjectCache|IterateAndScavenge|ConcurrentMarkingVisitor|heap::base::|cppgc::|std::__detail::_Map_base<v8::internal::MemoryChunk/;

function split(part) {
  const text = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', part], { maxBuffer: 64 << 20 }).toString();
  const out = { total: 0, compiler: 0, gc: 0, rest: 0 };
  let inTable = false;
  for (const line of text.split('\n')) {
    const m = /^\s*([\d,]+) \([\s\d.]+%\)\s+(.*)$/.exec(line);
    if (!m) continue;
    const n = Number(m[1].replaceAll(',', ''));
    if (m[2].startsWith('PROGRAM TOTALS')) {
      out.total = n;
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    if (COMPILER.test(m[2])) out.compiler += n;
    else if (GC.test(m[2])) out.gc += n;
    else out.rest += n;
  }
  return out;
}

const [a, b] = [split(`${file}.1`), split(`${file}.2`)];
const per = (k) => ((b[k] - a[k]) / (sizes[1] - sizes[0]) / 1e6).toFixed(3);
console.log(`${file}: per request, M instructions: total ${per('total')}, compiler ${per('compiler')}, GC ${per('gc')}, everything else ${per('rest')}`);
