#!/bin/sh
# lib/test/data/extract-rows.sh: rebuild trigger_rows.txt, the corpus of
# rows that pgq.logutriga writes, from the trigger suites' expected output
# (ev_type TAB urlencoded row, for ev_data and for the ev_extra2 backup).
# test_rowdata decodes and re-encodes every line byte for byte.
cd "$(dirname "$0")" || exit 1
grep -hE '^ *[0-9]+ *\|[IUD]:[^|]*\|' ../../../ext/pgq/test/expected/triggers*.out |
    awk -F'|' '{ print $2 "\t" $3; if ($5 != "<NULL>" && $5 != "") print $2 "\t" $5 }' \
    > trigger_rows.txt
