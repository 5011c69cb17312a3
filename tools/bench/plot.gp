# SPDX-License-Identifier: GPL-2.0
#
# Draw the benchmark's results. tools/bench/run splits results.csv into one
# file per series, "size value ref_value ratio", named
# f<figure>_<metric>_<reference>.dat, writes bars.dat ("label ratio goal")
# and goals.txt, and calls:
#   gnuplot -e "dir='DIR'; out='FILE.png'" tools/bench/plot.gp

f(name) = dir . '/' . name . '.dat'
# Whether a series has data: the Binder figures are missing from a run on
# a kernel without Binder.
has(name) = system("[ -s '" . f(name) . "' ] && echo 1 || echo 0") + 0

# An empty panel that says why.
none(why) = sprintf('set key off; set label 2 "%s" at graph 0.5, graph 0.5 center; plot [1:2] [0:1] NaN notitle; unset label 2; set key on', why)

set terminal png size 1500,2250 font 'DejaVuSans,9' noenhanced
set output out
set multiplot layout 5,2 title "pagerange benchmark: each figure against a reference measured in the same run (medians)" font ',13'
set grid
set key top right box opaque
set style data linespoints
set pointsize 1.2

# --- 1, 2: cold population
set title '#1, #2: cold population, cost per page'
set logscale x 2
set xlabel 'pages per call'
set ylabel 'us per page'
set yrange [0:*]
plot f('f1_cold_use_range_map_populate') using 1:($2/1e3) lw 2 pt 7 title 'USE_RANGE, one call', \
     f('f1_cold_use_range_map_populate') using 1:($3/1e3) lw 2 pt 5 title 'mmap(MAP_POPULATE)', \
     f('f1_cold_use_range_first_touch') using 1:($3/1e3) lw 2 pt 9 title 'first-touch faults', \
     f('f2_single_page_calls_one_call_fig1') using 1:($2/1e3) with points pt 13 ps 2.5 title '#2: 1024 single-page calls'

# --- 3: hot USE_RANGE + STOP_USING_RANGE
set title '#3: hot USE_RANGE / STOP_USING_RANGE of present pages'
set logscale xy
set xrange [0.7:1500]
set xlabel 'pages per call'
set ylabel 'ns (log)'
set yrange [10:*]
set key bottom left
plot f('f3_hot_use_stop_per_call_noop_ioctl') using 1:2 lw 2 pt 7 title 'per call', \
     f('f3_hot_use_stop_per_page_noop_ioctl') using 1:2 lw 2 pt 5 title 'per page', \
     f('f3_hot_use_stop_per_call_noop_ioctl') using 1:3 lw 2 dt 2 pt 0 title 'no-op ioctl (ENOTTY)', \
     f('f3_hot_use_stop_per_call_noop_ioctl') using 1:($3*2) lw 1 dt 3 pt 0 title 'goal at 1 page: 2x no-op', \
     f('f3_get_info_noop_ioctl') using 1:2 with points pt 9 ps 2 title 'GET_INFO'
unset logscale y
set key top right
set xrange [*:*]

# --- 4: WRITE / READ throughput
set title '#4: copy throughput (goal: >= 0.8x memcpy from 64 KiB)'
set logscale x 2
set xlabel 'bytes per call (KiB)'
set ylabel 'MB/s'
set yrange [0:*]
plot f('f4_write_memcpy') using 1:2 lw 2 pt 7 title 'WRITE', \
     f('f4_read_memcpy') using 1:2 lw 2 pt 5 title 'READ', \
     f('f4_write_memcpy') using 1:3 lw 2 dt 2 pt 9 title 'memcpy (libc)', \
     f('f4_rep_movsb_memcpy') using 1:2 lw 2 dt 3 pt 11 title "rep movsb (the kernel's user copy)"

# --- ratios against their goals
set title 'ratio to the reference (bar) and the goal (black line)'
unset logscale
set xlabel ''
set ylabel 'ratio'
set yrange [0:*]
set style fill solid 0.6 border -1
set boxwidth 0.6
set xtics rotate by -35 left font ',8'
set offsets 0, 0, graph 0.12, 0
set key top left
plot dir . '/bars.dat' using 0:2:xtic(1) with boxes lc rgb '#4477aa' title 'ratio', \
     '' using 0:2:(sprintf('%.2f', $2)) with labels offset 0,0.8 notitle, \
     '' using 0:3:(0.35) with xerrorbars lc rgb 'black' lw 3 pt 0 title 'goal'
set xtics norotate
set xtics autofreq
set offsets 0, 0, 0, 0

# --- 7: reclaim cost as the number of ranges grows
set title '#7: reclaim cost per page, same 64 MiB over more ranges'
set logscale x 2
set xlabel 'ranges'
set ylabel 'us per page'
set yrange [0:*]
set key bottom right
plot f('f7_reclaim_cost_one_range') using 1:($2/1e3) lw 2 pt 7 title 'drop_caches, per page freed', \
     f('f7_reclaim_cost_one_range') using 1:($3*1.2/1e3) with lines dt 2 lc rgb 'black' title '1 range +/- 20%', \
     f('f7_reclaim_cost_one_range') using 1:($3*0.8/1e3) with lines dt 2 lc rgb 'black' notitle

# --- B1: installing pages, against Binder
set title '#B1: installing pages, cost per page (Binder: fresh minus installed)'
set logscale x 2
set xlabel 'pages per call or transaction'
set ylabel 'us per page'
set yrange [0:*]
set key top right
if (has('fB1_cold_use_range_binder_install')) {
plot f('fB1_cold_use_range_binder_install') using 1:($2/1e3) lw 2 pt 7 title 'cold USE_RANGE', \
     f('fB1_cold_use_range_binder_install') using 1:($3/1e3) lw 2 pt 5 title "Binder: installing a transaction's pages", \
     f('fB1_binder_txn_fresh_binder_txn_installed') using 1:($2/1e3) lw 1 dt 2 pt 9 title 'Binder: transaction into fresh pages', \
     f('fB1_binder_txn_fresh_binder_txn_installed') using 1:($3/1e3) lw 1 dt 3 pt 11 title 'Binder: transaction into installed pages'
} else {
	eval none('no figure B1 in this run')
}

# --- B3, B4: transactions, against Binder's one-way transactions
set title '#B3: transactions per second; #B4: pages held after them'
set logscale x 2
set xlabel 'message (KiB)'
set ylabel 'transactions per second'
set y2label 'pages held'
set yrange [0:*]
set y2range [0:*]
set y2tics
set key top right
if (has('fB3_transactions_binder_oneway')) {
plot f('fB3_transactions_binder_oneway') using 1:2 lw 2 pt 7 title 'pagerange: WRITE (PAGERANGE_WRITE_USE) + eventfd', \
     f('fB3_transactions_binder_oneway') using 1:3 lw 2 pt 5 title 'Binder: one-way transactions', \
     f('fB4_pages_held_binder_pages') using 1:2 axes x1y2 with points pt 6 ps 2 title 'B4: pages the range holds', \
     f('fB4_pages_held_binder_pages') using 1:3 axes x1y2 with points pt 4 ps 2 title "B4: pages Binder's buffer holds"
} else {
	eval none('no figures B3 and B4 in this run')
}
unset y2tics
unset y2label

# --- D1: a discardable region's lock and unlock
set title '#D1: lock + unlock of a discardable region, present pages'
set logscale xy
set xrange [0.7:400]
set xlabel 'pages in the region'
set ylabel 'us per lock + unlock (log)'
set yrange [*:*]
set key top left
if (has('fD1_lock_unlock_madv_free_cookie')) {
plot f('fD1_lock_unlock_madv_free_cookie') using 1:($2/1e3) lw 2 pt 7 title 'USE_RANGE_REPORT + STOP_USING_RANGE', \
     f('fD1_lock_unlock_madv_free_cookie') using 1:($3/1e3) lw 2 pt 5 title 'cookies + MADV_FREE (Chromium)'
} else {
	eval none('no figure D1 in this run')
}
unset logscale
set xrange [*:*]

# --- D2: pages rebuilt per page lost
set title '#D2: pages a tile cache rebuilds per page memory.reclaim took'
set xlabel 'pages per tile'
set ylabel 'pages rebuilt per page lost'
set yrange [0:*]
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.6 border -1
set boxwidth 0.9
set offsets 0, 0, graph 0.25, 0
set key top left
if (has('fD2_rebuilt_per_lost_per_region')) {
plot f('fD2_rebuilt_per_lost_per_region') using 2:xtic(1) lc rgb '#4477aa' title 'per page (USE_RANGE_REPORT)', \
     '' using 3 lc rgb '#cc6677' title 'per region (ashmem, MADV_FREE cookies)'
} else {
	eval none('no figure D2 in this run')
}
set style data linespoints
set offsets 0, 0, 0, 0

# --- the goals as text
unset logscale
unset title
unset border
unset tics
unset grid
unset xlabel
unset ylabel
unset key
set xrange [0:1]
set yrange [0:1]
goals = system("cat '" . dir . "/goals.txt'")
set label 1 "goals (ratio to reference, goal, status)\n\n" . goals at graph 0.02, graph 0.97 left front font 'DejaVu Sans Mono,9'
plot NaN notitle
unset multiplot
