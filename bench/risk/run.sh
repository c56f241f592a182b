#!/bin/sh
# The supply-risk benchmark: renkei's risk engine against PostgreSQL, NetworkX,
# python-igraph and scipy-HiGHS on generated networks. See README.md.
#
#   bench/risk/run.sh [small|full]
#
# small: closure and criticality on a 10 k-node network.
# full:  closure and criticality on 100 k and 1 M nodes.
# Both then run TTS/TTR for every site scenario of a 10 k-node network on the
# renkei side and for TTS_SAMPLE of them (spread evenly) with scipy-HiGHS.
# Environment: BUILD (default build/release), WORK (default a temporary folder,
# kept for inspection), PGPORT (default 55432), TTS_SAMPLE (default 10; each
# scipy scenario takes seconds), TTS_RENKEI_SAMPLE (default 0: every site
# scenario; N: only N of them, spread evenly, for networks whose whole table
# takes hours), PARTS (default "graphs tts": which parts run; "shapes" adds the
# 2,000-stage tree shapes without capacities: the closure against the LPs alone
# (tts_shapes, LP side stopped after SHAPES_LP_BUDGET seconds, default 60) and
# against scipy-HiGHS on TTS_SAMPLE scenarios of the assembly tree).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIZE=${1:-full}
BUILD=${BUILD:-$ROOT/build/release}
WORK=${WORK:-$(mktemp -d /tmp/renkei-risk-bench.XXXXXX)}
PGPORT=${PGPORT:-55432}
TTS_SAMPLE=${TTS_SAMPLE:-10}
TTS_RENKEI_SAMPLE=${TTS_RENKEI_SAMPLE:-0}
PARTS=${PARTS:-graphs tts}
PY=/usr/bin/python3

case "$SIZE" in
  small) GRAPHS="10000" ;;
  full) GRAPHS="100000 1000000" ;;
  *) echo "usage: $0 [small|full]" >&2; exit 1 ;;
esac

echo "== build ($BUILD)"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRENKEI_BUILD_TESTS=OFF
fi
cmake --build "$BUILD" --target renkei risk_benchmark tts_shapes
RENKEI=$BUILD/src/cli/renkei
BENCH=$BUILD/bench/risk/risk_benchmark

echo "== PostgreSQL throwaway cluster on 127.0.0.1:$PGPORT"
PGDIR=$(mktemp -d /tmp/renkei-risk-pg.XXXXXX)
chown postgres:postgres "$PGDIR"
PGBIN=/usr/lib/postgresql/15/bin
runuser -u postgres -- $PGBIN/initdb -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 \
  --locale=C.UTF-8 >/dev/null
runuser -u postgres -- $PGBIN/pg_ctl -D "$PGDIR/data" -l "$PGDIR/pg.log" -w -t 30 \
  -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=1GB -c work_mem=256MB" \
  start >/dev/null
stop_pg() {
  runuser -u postgres -- $PGBIN/pg_ctl -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap stop_pg EXIT INT TERM
psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c 'create database bench'

# About 1.27 production nodes per generated site.
sites_for() { echo $(( $1 * 1000 / 1265 )); }

run_graph() {  # nodes, extra risk_benchmark flags, extra peers flags
  n=$1
  dir=$WORK/n$n
  mkdir -p "$dir/out"
  echo "== $n nodes: generate"
  "$RENKEI" generate "$dir/bundle" --sites "$(sites_for "$n")" --tiers 5 --seed 1
  echo "== $n nodes: renkei"
  "$BENCH" "$dir/bundle" "$dir/out" $2 > "$dir/renkei.json"
  echo "== $n nodes: peers (closure)"
  $PY "$ROOT/bench/risk/peers.py" closure "$dir/out" --pg-port "$PGPORT" $3 > "$dir/peers.json"
}

case " $PARTS " in *" graphs "*) ;; *) GRAPHS="" ;; esac
for n in $GRAPHS; do
  if [ "$n" -ge 1000000 ]; then
    # NetworkX needs several GB per 10 M edges; it runs on the smaller graph only.
    run_graph "$n" "--samples 5" "--no-networkx"
  else
    run_graph "$n" "--samples 20" ""
  fi
done

TTS=0
case " $PARTS " in *" tts "*) TTS=1 ;; esac
if [ "$TTS" = 1 ]; then
  echo "== 10000 nodes: TTS per site scenario (renkei: TTS_RENKEI_SAMPLE=$TTS_RENKEI_SAMPLE, 0 = all; scipy-HiGHS: $TTS_SAMPLE of them)"
  dir=$WORK/tts10000
  mkdir -p "$dir/out"
  "$RENKEI" generate "$dir/bundle" --sites "$(sites_for 10000)" --tiers 5 --seed 2
  "$BENCH" "$dir/bundle" "$dir/out" --tts --samples 5 --tts-sample "$TTS_RENKEI_SAMPLE" \
    > "$dir/renkei.json"
  $PY "$ROOT/bench/risk/peers.py" tts "$dir/bundle" "$dir/out" --sample "$TTS_SAMPLE" \
    > "$dir/peers.json"
fi

case " $PARTS " in *" shapes "*)
  dir=$WORK/shapes
  mkdir -p "$dir/out"
  for shape in assembly serial distribution; do
    echo "== 2000-stage $shape tree: closure against the LPs alone"
    "$BUILD/bench/risk/tts_shapes" $shape 2000 --lp-budget "${SHAPES_LP_BUDGET:-60}" \
      > "$dir/$shape.json"
    cat "$dir/$shape.json"
  done
  echo "== 2000-stage assembly tree: renkei against scipy-HiGHS ($TTS_SAMPLE scenarios)"
  "$RENKEI" generate "$dir/bundle" --sites 2000 --shape assembly --no-capacities \
    --no-inventories --seed 2 >/dev/null
  "$BENCH" "$dir/bundle" "$dir/out" --tts --samples 1 > "$dir/renkei.json"
  $PY "$ROOT/bench/risk/peers.py" tts "$dir/bundle" "$dir/out" --sample "$TTS_SAMPLE" \
    > "$dir/peers.json"
  $PY - "$dir" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1] + "/renkei.json"))
p = json.load(open(sys.argv[1] + "/peers.json"))
print(f"renkei {r['tts_per_scenario_s']*1e6:.1f} us per scenario (table {r['tts_total_s']:.3f} s); "
      f"scipy-HiGHS {p['scipy_highs_per_scenario_s']*1e3:.1f} ms (median "
      f"{p['scipy_highs_per_scenario_median_s']*1e3:.1f} ms): "
      f"{p['scipy_highs_per_scenario_s']/r['tts_per_scenario_s']:,.0f}x; "
      f"TTS agree {p['tts_agree']}/{p['scenarios']}, impact agree {p['impact_agree']}/{p['scenarios']}")
PYEOF
  ;;
esac

echo "== summary (work folder: $WORK)"
$PY - "$WORK" "$TTS" $GRAPHS <<'PYEOF'
import json, sys
work, tts, graphs = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
def load(p):
    with open(p) as f:
        return json.load(f)
print("| nodes | edges | B/edge | renkei closure | igraph | NetworkX | PostgreSQL | vs PG | vs igraph | criticality (all nodes) | full closure | crit/closure | remove-and-recompute (extrapolated) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for n in graphs:
    r, p = load(f"{work}/n{n}/renkei.json"), load(f"{work}/n{n}/peers.json")
    assert p["closure_sizes"] == r["closure_sizes"], "closure sizes differ"
    c, ig = r["closure_median_s"], p["igraph_closure_median_s"]
    nx = p.get("networkx_closure_median_s")
    pg = p["postgres_closure_median_s"]
    print(f"| {r['nodes']:,} | {r['edges']:,} | {r['bytes_per_edge']:.1f} | {c*1e3:.3f} ms | {ig*1e3:.3f} ms | "
          f"{'%.3f ms' % (nx*1e3) if nx else 'not run'} | {pg*1e3:.1f} ms | {pg/c:,.0f}x | {ig/c:.1f}x | "
          f"{r['criticality_nodes_s']*1e3:.1f} ms | {r['full_closure_s']*1e3:.1f} ms | "
          f"{r['criticality_nodes_s']/r['full_closure_s']:.1f}x | "
          f"{r['remove_recompute_all_nodes_extrapolated_s']:,.0f} s ({r['remove_recompute_sampled']} sampled, "
          f"{r['remove_recompute_agrees']} agree) |")
if not tts:
    sys.exit(0)
r, p = load(f"{work}/tts10000/renkei.json"), load(f"{work}/tts10000/peers.json")
n = r["tts_scenarios"]
print()
print(f"TTS/TTR on {r['nodes']:,} nodes, {n:,} site scenarios: renkei/Clp "
      f"{r['tts_total_s']:.1f} s in all on {r['tts_threads']} threads ({r['tts_per_scenario_s']*1e3:.1f} ms per "
      f"scenario, model build {r['tts_build_s']*1e3:.0f} ms included; {r['tts_exposed']:,} exposed "
      f"scenarios needed the TTR LP)")
print(f"scipy-HiGHS on {p['scenarios']} sampled scenarios: {p['scipy_highs_per_scenario_s']*1e3:.0f} ms per "
      f"scenario (median {p['scipy_highs_per_scenario_median_s']*1e3:.0f} ms), extrapolated to all "
      f"{n:,}: {p['scipy_highs_per_scenario_s']*n/3600:.1f} h; ratio per scenario "
      f"{p['scipy_highs_per_scenario_s']/r['tts_per_scenario_s']:.1f}x; "
      f"TTS agree {p['tts_agree']}/{p['scenarios']} (worst relative difference "
      f"{p['tts_worst_relative_difference']:.1e}), impact agree {p['impact_agree']}/{p['scenarios']}")
PYEOF
