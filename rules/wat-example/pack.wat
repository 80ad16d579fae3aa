;; wat-example: a dudao pack written by hand in WebAssembly text, from docs/abi.md alone,
;; without the Rust SDK. dudao reads `.wat` files directly:
;;
;;   dudao check rules/wat-example/pack.wat
;;   dudao test  rules/wat-example/pack.wat        # the cases in rules/wat-example/cases/
;;
;; It evaluates schools: how many county-level backbone teachers (县级以上骨干教师) a school
;; lacks to reach 1 per 100 students, the standard of 教督〔2017〕6号 第六条第（二）项, counted
;; for the whole school:  max(0, ⌈(primary_students + junior_students) / 100⌉ − backbone_teachers).
;; Status `met` when nothing is lacking. Everything is whole-number arithmetic, so no
;; floating-point formatting is needed.
;;
;; It does not parse JSON in general. It relies on what ABI 1.0 promises about a unit (§7):
;; compact JSON (no whitespace between tokens), a school unit's only record is its subject
;; (`members` is `{}`), every record is flat (scalars only), and the three declared `integer`
;; fields arrive as JSON integers (here ≥ 0, since the manifest says `min: 0`). So the
;; subject's `"id":"` is the first after `"subject":{`, and each count follows its key. A
;; string's `"` is always escaped as `\"`, so these patterns never match inside a string.
;;
;; Memory: page 0 holds the fixed texts (each NUL-terminated, measured at run time); a bump
;; allocator hands out memory from 64 KiB up. Nothing is freed: every unit gets a fresh
;; instance (§4).
(module
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))  ;; next free byte
  (global $out (mut i32) (i32.const 0))       ;; write cursor of the output being built

  ;; The manifest (§6).
  (data (i32.const 1024)
    "{\"abi\":\"1.0\",\"id\":\"wat-example\",\"version\":\"0.1.0\","
    "\"title\":\"骨干教师缺口（手写 WebAssembly 示例）\","
    "\"description\":\"不用 SDK、按 docs/abi.md 手写的指标包：学校距每百名学生1名县级以上骨干教师还缺几人。\","
    "\"units\":[{\"level\":\"school\"}],"
    "\"inputs\":[{\"level\":\"school\",\"fields\":["
    "{\"name\":\"primary_students\",\"type\":\"integer\",\"min\":0,\"description\":\"小学段在校生数\"},"
    "{\"name\":\"junior_students\",\"type\":\"integer\",\"min\":0,\"description\":\"初中段在校生数\"},"
    "{\"name\":\"backbone_teachers\",\"type\":\"integer\",\"min\":0,\"description\":\"县级及以上骨干教师数\"}]}],"
    "\"indicators\":[{\"id\":\"wat.school.backbone_shortfall\","
    "\"name\":\"县级以上骨干教师缺口（按每百名学生1人）\",\"level\":\"school\",\"unit\":\"人\","
    "\"formula\":\"max(0, ⌈(primary_students + junior_students) / 100⌉ − backbone_teachers)，全校合计\","
    "\"thresholds\":[{\"op\":\"<=\",\"value\":0,\"source\":{"
    "\"document\":\"县域义务教育优质均衡发展督导评估办法（教督〔2017〕6号）\","
    "\"item\":\"第六条第（二）项（每百名学生拥有县级以上骨干教师数达到1人以上）\"}}]}]}"
    "\00")

  ;; Patterns searched in the unit.
  (data (i32.const 8192) "\"subject\":{\00")
  (data (i32.const 8208) "\"id\":\"\00")
  (data (i32.const 8224) "\"primary_students\":\00")
  (data (i32.const 8256) "\"junior_students\":\00")
  (data (i32.const 8288) "\"backbone_teachers\":\00")

  ;; Pieces of the output (§8).
  (data (i32.const 8320) "{\"ok\":{\"results\":[{\"subject\":\"\00")
  (data (i32.const 8384) "\",\"indicator\":\"wat.school.backbone_shortfall\",\"value\":\00")
  (data (i32.const 8448) ",\"status\":\"\00")
  (data (i32.const 8464) "met\00")
  (data (i32.const 8472) "not_met\00")
  (data (i32.const 8480) "\"}]}}\00")
  (data (i32.const 8512)
    "{\"error\":{\"message\":\"cannot read the subject id and the whole numbers "
    "primary_students, junior_students and backbone_teachers (at most 15 digits) from the unit\"}}\00")

  ;; () -> i32: ABI 1.0, (major << 16) | minor.
  (func (export "dudao_abi_version") (result i32)
    (i32.const 0x00010000))

  ;; (len) -> ptr: a fresh buffer of len bytes; 0 when memory cannot grow.
  (func $alloc (export "dudao_alloc") (param $len i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (if (i32.lt_u (local.get $end) (local.get $ptr))   ;; wrapped past 4 GiB
      (then (return (i32.const 0))))
    (block $fits
      (loop $grow
        (br_if $fits (i64.le_u (i64.extend_i32_u (local.get $end))
                               (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
          (then (return (i32.const 0))))
        (br $grow)))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  ;; (ptr, len) -> (): nothing to do for a bump allocator.
  (func (export "dudao_free") (param i32 i32))

  ;; Length of the NUL-terminated text at $p.
  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; The position just after the first occurrence of the NUL-terminated $pattern in
  ;; [$from, $end), or -1.
  (func $after (param $from i32) (param $end i32) (param $pattern i32) (result i32)
    (local $len i32) (local $at i32) (local $k i32)
    (local.set $len (call $strlen (local.get $pattern)))
    (local.set $at (local.get $from))
    (block $absent
      (loop $try
        (br_if $absent (i32.gt_u (i32.add (local.get $at) (local.get $len)) (local.get $end)))
        (local.set $k (i32.const 0))
        (block $differs
          (loop $compare
            (if (i32.eq (local.get $k) (local.get $len))
              (then (return (i32.add (local.get $at) (local.get $len)))))
            (br_if $differs (i32.ne (i32.load8_u (i32.add (local.get $at) (local.get $k)))
                                    (i32.load8_u (i32.add (local.get $pattern) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $compare)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $try)))
    (i32.const -1))

  ;; The whole number written right after the key $key in [$from, $end): 1 to 15 decimal
  ;; digits; -1 when the key is missing or the value is not such a number.
  (func $count (param $from i32) (param $end i32) (param $key i32) (result i64)
    (local $p i32) (local $digit i32) (local $digits i32) (local $n i64)
    (local.set $p (call $after (local.get $from) (local.get $end) (local.get $key)))
    (if (i32.lt_s (local.get $p) (i32.const 0))
      (then (return (i64.const -1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $digit (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))  ;; '0'
        (br_if $done (i32.gt_u (local.get $digit) (i32.const 9)))
        (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 10))
                               (i64.extend_i32_u (local.get $digit))))
        (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (if (result i64) (i32.and (i32.ge_u (local.get $digits) (i32.const 1))
                              (i32.le_u (local.get $digits) (i32.const 15)))
      (then (local.get $n))
      (else (i64.const -1))))

  ;; Appends $len bytes at $p to the output.
  (func $put_bytes (param $p i32) (param $len i32)
    (memory.copy (global.get $out) (local.get $p) (local.get $len))
    (global.set $out (i32.add (global.get $out) (local.get $len))))

  ;; Appends the NUL-terminated text at $p to the output.
  (func $put (param $p i32)
    (call $put_bytes (local.get $p) (call $strlen (local.get $p))))

  ;; Appends $n ≥ 0 in decimal.
  (func $put_number (param $n i64)
    (local $rest i64) (local $end i32) (local $p i32)
    ;; Count the digits to find where the number ends, then write it backwards.
    (local.set $end (i32.add (global.get $out) (i32.const 1)))
    (local.set $rest (i64.div_u (local.get $n) (i64.const 10)))
    (block $counted
      (loop $more
        (br_if $counted (i64.eqz (local.get $rest)))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (local.set $rest (i64.div_u (local.get $rest) (i64.const 10)))
        (br $more)))
    (local.set $p (local.get $end))
    (local.set $rest (local.get $n))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $rest) (i64.const 10)))))
      (local.set $rest (i64.div_u (local.get $rest) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $rest) (i64.const 0))))
    (global.set $out (local.get $end)))

  ;; The output that starts at $start and ends at the cursor, packed (ptr << 32) | len (§3).
  (func $packed (param $start i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $start)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (global.get $out) (local.get $start)))))

  ;; () -> i64: the manifest, packed.
  (func (export "dudao_describe") (result i64)
    (global.set $out (i32.add (i32.const 1024) (call $strlen (i32.const 1024))))
    (call $packed (i32.const 1024)))

  ;; (ptr, len) -> i64: one school unit in, one result out.
  (func (export "dudao_evaluate") (param $ptr i32) (param $len i32) (result i64)
    (local $end i32) (local $start i32) (local $subject i32) (local $id i32) (local $quote i32)
    (local $primary i64) (local $junior i64) (local $backbone i64) (local $shortfall i64)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    ;; The output is the copied id plus at most 256 bytes of fixed text and digits.
    (local.set $start (call $alloc (i32.add (local.get $len) (i32.const 256))))
    (if (i32.eqz (local.get $start))
      (then (unreachable)))  ;; out of memory: the host reports a trap
    (global.set $out (local.get $start))
    (block $unreadable
      ;; The subject id: from `"id":"` to the next unescaped `"` (copied still escaped).
      (local.set $subject (call $after (local.get $ptr) (local.get $end) (i32.const 8192)))
      (br_if $unreadable (i32.lt_s (local.get $subject) (i32.const 0)))
      (local.set $id (call $after (local.get $subject) (local.get $end) (i32.const 8208)))
      (br_if $unreadable (i32.lt_s (local.get $id) (i32.const 0)))
      (local.set $quote (local.get $id))
      (block $closed
        (loop $char
          (br_if $unreadable (i32.ge_u (local.get $quote) (local.get $end)))
          (br_if $closed (i32.eq (i32.load8_u (local.get $quote)) (i32.const 34)))  ;; '"'
          (if (i32.eq (i32.load8_u (local.get $quote)) (i32.const 92))              ;; '\'
            (then (local.set $quote (i32.add (local.get $quote) (i32.const 1)))))
          (local.set $quote (i32.add (local.get $quote) (i32.const 1)))
          (br $char)))
      ;; The three counts.
      (local.set $primary (call $count (local.get $subject) (local.get $end) (i32.const 8224)))
      (br_if $unreadable (i64.lt_s (local.get $primary) (i64.const 0)))
      (local.set $junior (call $count (local.get $subject) (local.get $end) (i32.const 8256)))
      (br_if $unreadable (i64.lt_s (local.get $junior) (i64.const 0)))
      (local.set $backbone (call $count (local.get $subject) (local.get $end) (i32.const 8288)))
      (br_if $unreadable (i64.lt_s (local.get $backbone) (i64.const 0)))
      ;; shortfall = max(0, ⌈students / 100⌉ − backbone)
      (local.set $shortfall
        (i64.sub (i64.div_u (i64.add (i64.add (local.get $primary) (local.get $junior)) (i64.const 99))
                            (i64.const 100))
                 (local.get $backbone)))
      (if (i64.lt_s (local.get $shortfall) (i64.const 0))
        (then (local.set $shortfall (i64.const 0))))
      ;; {"ok":{"results":[{"subject":"ID","indicator":"…","value":N,"status":"met"}]}}
      (call $put (i32.const 8320))
      (call $put_bytes (local.get $id) (i32.sub (local.get $quote) (local.get $id)))
      (call $put (i32.const 8384))
      (call $put_number (local.get $shortfall))
      (call $put (i32.const 8448))
      (if (i64.eqz (local.get $shortfall))
        (then (call $put (i32.const 8464)))
        (else (call $put (i32.const 8472))))
      (call $put (i32.const 8480))
      (return (call $packed (local.get $start))))
    ;; Not the unit ABI 1.0 promises: refuse it (§8) rather than trap.
    (call $put (i32.const 8512))
    (call $packed (local.get $start)))
)
