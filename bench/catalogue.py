"""The one list of benchmarks (``BENCHES``) that ``make bench`` runs, and the public
data sets some of them read (``DATA_SETS``); running them and writing the table is
bench/report.py, the table's rows and targets bench/table.py.

Each command runs from the repo root; its last stdout line must be a JSON object,
whose fields the bench's lines format into its row of the table. Commands with
``runs`` > 1 run that often and report medians. Data set paths start with
``SHARED``: bench/report.py points them at ``BENCH_DATASETS`` when it is set.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.table import Bench, Target

PY = ".venv/bin/python"
# Where the commands below find the public data sets (relative to the repo root);
# BENCH_DATASETS in the environment names another folder of the same layout.
SHARED = "../shared/datasets"


@dataclass(frozen=True)
class DataSet:
    """A public data set a benchmark measures on: its name, licence and origin."""

    name: str
    source: str


# Keyed by the folder under SHARED; docs/data.md says more about each.
DATA_SETS = {
    "bitext": DataSet(
        "Bitext customer-service intents (CDLA-Sharing 1.0)",
        "Hugging Face bitext/Bitext-customer-support-llm-chatbot-training-dataset "
        "(its instruction column as text, with intent)",
    ),
    "clinc_oos": DataSet(
        "CLINC150 out-of-scope queries (Larson et al., EMNLP 2019; CC BY 3.0)",
        'GitHub clinc/oos-eval, data/data_full.json, as {"oos": [...]}',
    ),
    "frustration": DataSet(
        "frustration-rated support conversations (Zuters & Leonova 2020; MIT)",
        "GitHub Lynx1981/dfrustration, dprocessed.txt",
    ),
    "goemotions": DataSet(
        "GoEmotions (Demszky et al., ACL 2020; Apache-2.0)",
        "GitHub google-research/google-research, goemotions/data (the TSV files "
        "as in monologg/GoEmotions-pytorch, data/original)",
    ),
}
# bench.load's memory_mb line: idle -> peak resident MiB of each process
MEMORY = "resident memory idle → peak MiB: " + ", ".join(
    f"{label} {{memory_mb[{key}][idle]:,.0f}} → "
    f"{{memory_mb[{key}][peak_under_load]:,.0f}}"
    for key, label in [
        ("gateway", "gateway"),
        ("rasa", "Rasa"),
        ("actions", "actions"),
        ("redis", "Redis"),
        ("stock_rasa", "stock Rasa"),
    ]
)

BENCHES = [
    Bench(
        "intents",
        "intents (27 classes, bitext dev set)",
        f"{PY} -m bench.intents --data ../shared/datasets/bitext/dev.csv",
        (
            "{n:,} utterances: accuracy **{accuracy:.3f}**, macro-F1 "
            "**{macro_f1:.3f}**, {fallback_rate:.1%} to fallback",
            "{parse_ms_mean:.0f} ms per parse over HTTP",
        ),
        (Target("accuracy", ">=", 0.95, "accuracy ≥ 0.95"),),
    ),
    Bench(
        "oos",
        "out-of-scope questions declined (CLINC150 oos)",
        f"{PY} -m bench.oos --data ../shared/datasets/clinc_oos/dev.json",
        (
            "**{declined_rate:.2f}** of {n} declined (BERT + threshold in the "
            "source paper: 0.52)",
        ),
        (Target("declined_rate", ">=", 0.90, "declined ≥ 0.90"),),
    ),
    Bench(
        "faq-override",
        "the FAQ answering a message NLU gave an intent (bitext dev: every request has "
        "an intent; the FAQ's own questions, leave-one-out)",
        f"{PY} -m bench.faq_override --data ../shared/datasets/bitext/dev.csv",
        (
            "{n:,} requests: **{overridden}** taken from their intent "
            "(**{override_rate:.2%}**)",
            "{faq_wins_right} of {faq_questions} FAQ questions win against the "
            "nearest intent, {faq_wins_wrong} with the wrong entry",
        ),
        (Target("override_rate", "<=", 0.005, "taken ≤ 0.5%"),),
    ),
    Bench(
        "languages",
        "English requests taken for another language (bitext dev)",
        f"{PY} -m bench.languages --data ../shared/datasets/bitext/dev.csv",
        ("{n:,} requests: **{taken_for_another}** taken for another language",),
        (Target("rate", "<=", 0.001, "≤ 0.1%"),),
    ),
    Bench(
        "frustration",
        "frustration 0–4 per customer turn (calibration fitted on our own data; "
        "this set unseen)",
        f"{PY} -m bench.frustration --data ../shared/datasets/frustration/dev.txt",
        (
            "{n} turns: Spearman **{spearman:.3f}**, Pearson {pearson:.3f}, exact "
            "{exact_acc:.2f}, within-one **{within1_acc:.3f}**, high-frustration "
            "P {high_precision:.3f} / R {high_recall:.3f} / F1 **{high_f1:.3f}**",
        ),
        (
            Target("spearman", ">=", 0.65, "Spearman ≥ 0.65"),
            Target("within1_acc", ">=", 0.85, "within-one ≥ 0.85"),
            Target("high_f1", ">=", 0.75, "high F1 ≥ 0.75"),
        ),
    ),
    Bench(
        "frustration-latency",
        "analyzer latency, 5-turn history",
        f"{PY} -m bench.frustration --latency",
        (
            "p50 **{p50_ms:.1f} ms**, p95 **{p95_ms:.1f} ms**",
            "batch {batch_msgs_per_s:,.0f} msgs/s",
        ),
        (Target("p95_ms", "<=", 30, "p95 ≤ 30 ms"),),
        runs=3,
        spread=(("p95_ms", "p95 ms", ".1f"),),
    ),
    Bench(
        "emotions",
        "emotion label, 7 classes (GoEmotions dev, labels mapped by "
        "`data/emotion/goemotions.yml`)",
        f"{PY} -m bench.emotions --data ../shared/datasets/goemotions/dev.tsv",
        (
            "{n:,} comments: analyzer label macro-F1 **{macro_f1:.3f}**, accuracy "
            "{accuracy:.3f}",
            "GoEmotions classifier alone macro-F1 {classifier_macro_f1:.3f}",
        ),
        (Target("macro_f1", ">=", 0.50, "macro-F1 ≥ 0.50"),),
    ),
    Bench(
        "situations",
        "serious situations raised on ordinary requests (bitext dev; a false alarm "
        "sends the chat to a person)",
        f"{PY} -m bench.situations --data ../shared/datasets/bitext/dev.csv "
        "--tweets ../shared/datasets/frustration/dev.txt",
        (
            "{n:,} requests: **{raised}** raise a situation "
            "(**{raised_rate:.2%}**), {serious} of them serious; "
            "{us_per_message:.0f} µs per message",
        ),
        (Target("serious_rate", "<=", 0.005, "serious ≤ 0.5%"),),
    ),
    Bench(
        "queue",
        "handoff queue: 50 claimers race for each of 1,000 tickets",
        f"{PY} -m bench.queue",
        (
            "**{double_claims} double claims** in {runs} × {contested_claims:,} "
            "contested claims",
            "**{claims_per_s:,.0f} claims/s**",
            "p95 {p95_claim_ms:.0f} ms per pipelined round trip",
            "{enqueue_per_s:,.0f} enqueues/s",
        ),
        (
            Target("double_claims", "<=", 0, "0 double claims"),
            Target("claims_per_s", ">=", 5000, "≥ 5,000 claims/s"),
        ),
        runs=3,
        summed=("double_claims",),
        spread=(("claims_per_s", "claims/s", ",.0f"),),
    ),
    Bench(
        "replay",
        "escalation on our scenario conversations",
        f"{PY} -m bench.replay --data bench/scenarios.jsonl",
        (
            "{n} conversations: precision **{escalation_precision:.3f}**, recall "
            "**{escalation_recall:.3f}** ({true_pos} TP, {false_pos} FP, "
            "{false_neg} FN, {true_neg} TN)",
            "median {turn_ms_median:.0f} ms per turn through Rasa + actions",
        ),
    ),
    Bench(
        "load",
        "load: 10 widget customers × 10 messages at once; whole stack vs bare Rasa "
        "vs stock `rasa init` (3 repetitions, medians)",
        f"{PY} -m bench.load --customers 10 --messages 10 --repeat 3",
        (
            "full stack p50 **{p50_ms:.0f} ms**, p95 {p95_ms:.0f}, p99 {p99_ms:.0f}, "
            "**{throughput_per_s:.1f} msg/s**",
            "bare Rasa (same model, same actions) p50 {rasa_p50_ms:.0f} ms, p95 "
            "{rasa_p95_ms:.0f}, {rasa_throughput_per_s:.1f} msg/s",
            "stock `rasa init` **{stock_rasa_throughput_per_s:.1f} msg/s**",
            "overhead ratio p50 **{overhead_ratio_p50:.2f}**",
            "bot-answered messages only: overhead "
            "{bot_answered_only[overhead_ratio_p50]:.2f}",
            MEMORY,
        ),
        (
            Target(
                "throughput_per_s",
                ">=",
                "stock_rasa_throughput_per_s",
                "throughput ≥ stock Rasa",
            ),
            Target("p50_ms", "<=", 120, "p50 ≤ 120 ms"),
            Target("overhead_ratio_p50", "<=", 1.3, "overhead ≤ 1.3"),
        ),
        keep=("memory_mb", "bot_answered_only"),
    ),
    Bench(
        "load-1",
        "same, one customer (no queueing; 8 repetitions, medians)",
        f"{PY} -m bench.load --customers 1 --messages 10 --repeat 8",
        (
            "full stack p50 **{p50_ms:.0f} ms**, p95 {p95_ms:.0f}",
            "bare Rasa p50 {rasa_p50_ms:.0f} ms, p95 {rasa_p95_ms:.0f}",
            "stock `rasa init` {stock_rasa_throughput_per_s:.1f} msg/s",
            "overhead ratio p50 {overhead_ratio_p50:.2f}",
        ),
    ),
    Bench(
        "load-think",
        "same, 10 customers who take about 3 s to read and type (0.5–1.5× that, "
        "seeded; 2 repetitions, medians)",
        f"{PY} -m bench.load --customers 10 --messages 10 --think 3 --repeat 2",
        (
            "full stack p50 **{p50_ms:.0f} ms**, p95 {p95_ms:.0f}",
            "bare Rasa p50 {rasa_p50_ms:.0f} ms, p95 {rasa_p95_ms:.0f}",
            "overhead ratio p50 {overhead_ratio_p50:.2f}",
        ),
        (Target("p50_ms", "<=", 120, "p50 ≤ 120 ms"),),
    ),
    Bench(
        "load-200",
        "200 widget customers × 10 messages who take about 2 s to read and type; "
        "whole stack vs bare Rasa on the same server (1 repetition)",
        f"{PY} -m bench.load --customers 200 --messages 10 --think 2 --repeat 1",
        (
            "**{unanswered:.0f} unanswered**, {apologies:.0f} apologies",
            "full stack **{throughput_per_s:.1f} msg/s**, p99 {p99_ms:.0f} ms",
            "bare Rasa {rasa_throughput_per_s:.1f} msg/s, p99 {rasa_p99_ms:.0f} ms",
            "throughput **{throughput_ratio:.2f}×** bare Rasa's, p99 "
            "**{p99_ratio:.2f}×**",
        ),
        (
            Target("unanswered", "<=", 0, "0 unanswered"),
            Target("throughput_ratio", ">=", 0.9, "throughput ≥ 0.9× bare Rasa"),
            Target("p99_ratio", "<=", 1.5, "p99 ≤ 1.5× bare Rasa's"),
        ),
    ),
    Bench(
        "load-repeat",
        "10 widget customers × 10 messages at once, 5 repetitions: the worst "
        "repetition's tail",
        f"{PY} -m bench.load --customers 10 --messages 10 --repeat 5",
        (
            "worst repetition's p99 **{worst_p99_ms:.0f} ms** (median p99 "
            "{p99_ms:.0f}, bare Rasa's {rasa_p99_ms:.0f})",
            "p99 {p99_ratio:.2f}× bare Rasa's",
            "{unanswered:.0f} unanswered",
        ),
        (Target("worst_p99_ms", "<=", 1000, "no repetition with p99 above 1 s"),),
    ),
    Bench(
        "load-cluster",
        "load on a Redis Cluster (3 masters + 3 replicas) next to a single Redis: "
        "20 widget customers × 10 messages over 2 gateways and 2 Rasa servers "
        "(2 repetitions each, medians)",
        f"{PY} -m bench.cluster_load --customers 20 --messages 10 --repeat 2",
        (
            "Cluster p50 **{cluster_p50_ms:.0f} ms**, p99 {cluster_p99_ms:.0f}, "
            "**{cluster_throughput_per_s:.1f} msg/s**",
            "single Redis p50 {single_p50_ms:.0f} ms, p99 {single_p99_ms:.0f}, "
            "{single_throughput_per_s:.1f} msg/s",
            "Cluster / single: throughput **{throughput_ratio:.2f}×**, p50 "
            "{p50_ratio:.2f}×, p99 {p99_ratio:.2f}×",
            "{cluster_apologies:.0f} + {single_apologies:.0f} apologies, "
            "{cluster_errors:.0f} + {single_errors:.0f} unanswered",
        ),
    ),
    Bench(
        "fanout",
        "live updates: queue events that move every place while 200 widgets chat "
        "with the bot and 200 customers wait (200 events, 3 repetitions, medians)",
        f"{PY} -m bench.fanout --widgets 200 --waiting 200 --events 200 --repeat 3",
        (
            "**{redis_cmds_per_event_per_widget:.3f} Redis commands** per event per "
            "widget ({redis_cmds_per_event:.0f} per event)",
            "gateway CPU **{gateway_cpu_ms_per_event:.1f} ms** per event, "
            "{cpu_ratio_to_baseline:.1f}× the {baseline_gateway_cpu_ms_per_event:.1f} "
            "ms with no widget open",
            "every waiting widget showed its right place **{right_place_ms_p50:.0f} "
            "ms** after an event (median; slowest {right_place_ms_max:.0f} ms)",
            "{stale_places:.0f} stale places",
        ),
        (
            Target(
                "redis_cmds_per_event_per_widget",
                "<=",
                0.1,
                "≤ 0.1 Redis commands per event per widget",
            ),
            Target("gateway_cpu_ms_per_event", "<=", 5, "gateway CPU ≤ 5 ms per event"),
            Target(
                "right_place_ms_max",
                "<=",
                1000,
                "every waiting customer sees its right place within 1 s",
            ),
            Target("stale_places", "<=", 0, "no stale place"),
        ),
    ),
    Bench(
        "connections",
        "idle widget connections: 5,000 open widgets that said hello and wait, held "
        "by a client in its own process, while 2 customers chat with the bot",
        f"{PY} -m bench.connections --idle 5000",
        (
            "**{kib_per_connection:.1f} KiB** of gateway memory per idle connection "
            "({rss_before_mib:.0f} → {rss_after_mib:.0f} MiB)",
            "**{redis_cmds_per_idle_connection_per_min:.4f} Redis commands** per idle "
            "connection per minute ({redis_cmds_window_alone} in {window_s:.0f} s "
            "without them, {redis_cmds_window_idle} with them)",
            "an active customer's p50 **{p50_ms_with_idle:.0f} ms** with them, "
            "{p50_ms_alone:.0f} ms without ({p50_ms_alone_before:.0f} before they "
            "open, {p50_ms_alone_after:.0f} after they close): **{p50_ratio:.2f}×**",
            "{still_open_at_end:,} of {idle:,} still answering at the end",
        ),
        (
            Target(
                "kib_per_connection",
                "<=",
                48.8,
                "≤ 50 KB (48.8 KiB) per connection",
            ),
            Target(
                "redis_cmds_per_idle_connection_per_min",
                "<=",
                0.01,
                "≈ 0 Redis commands per idle connection per minute (≤ 0.01)",
            ),
            Target("p50_ratio", "<=", 1.2, "active p50 ≤ 1.2× without idle ones"),
            Target("still_open_at_end", ">=", "idle", "every idle one still open"),
        ),
    ),
    Bench(
        "handoff",
        "handoff: escalation → an open console, agent reply → widget and → Telegram "
        "(3 repetitions of 30 widget + 10 Telegram rounds, medians)",
        f"{PY} -m bench.handoff_latency --rounds 30 --telegram-rounds 10 --repeat 3",
        (
            "escalation visible in the console p50 "
            "**{escalation_to_console_p50_ms:.0f} ms**, p95 "
            "**{escalation_to_console_p95_ms:.0f} ms** from the customer's send",
            "from the enqueue p95 {enqueue_to_console_p95_ms:.0f} ms",
            "agent reply → widget p50 **{agent_to_widget_p50_ms:.1f} ms**, p95 "
            "**{agent_to_widget_p95_ms:.1f} ms**",
            "→ Telegram (fake Bot API) p95 {agent_to_telegram_p95_ms:.0f} ms",
            "a Telegram escalation → console p95 "
            "{telegram_escalation_to_console_p95_ms:.0f} ms",
            "{failed_rounds} failed rounds",
        ),
        (
            Target(
                "escalation_to_console_p95_ms",
                "<=",
                100,
                "escalation → console p95 ≤ 100 ms",
            ),
            Target("agent_to_widget_p95_ms", "<=", 50, "agent → widget p95 ≤ 50 ms"),
        ),
    ),
    Bench(
        "console-paint",
        "the agent console in chromium at 1280×720 with 200 chats waiting (7 loads, "
        "medians; the same with nobody waiting as the baseline)",
        f"{PY} -m bench.console_paint --waiting 200 --loads 7",
        (
            "whole waiting list on screen **{list_shown_ms:.0f} ms** after navigation "
            "({list_shown_ratio:.1f}× the {baseline_list_shown_ms:.0f} ms of an empty "
            "line)",
            "first paint {first_paint_ms:.0f} ms (empty: {baseline_first_paint_ms:.0f} "
            "ms)",
            "GET /console/api/queue {queue_api_ms:.0f} ms",
        ),
        (Target("list_shown_ms", "<=", 1000, "200 waiting chats on screen ≤ 1 s"),),
    ),
    Bench(
        "report-build",
        "the monthly report over 10,000 synthetic conversations (seeded; 15% handed "
        "to a person, 60% with a survey answer)",
        f"{PY} -m bench.report_build --conversations 10000",
        (
            "built in **{build_s:.1f} s**: numbers {gather_s:.1f} s, HTML "
            "{html_s:.1f} s, PDF {pdf_s:.1f} s",
            "{expected[surveys]:,} survey answers, {expected[handoffs]:,} handoffs; "
            "numbers as written: {consistent}",
        ),
        (Target("build_s", "<=", 10, "built in < 10 s"),),
    ),
    Bench(
        "survey-replay",
        "the survey over the replay's conversations through the widget (labels by "
        "hand in bench/scenarios.jsonl; each handed-over one resolved by an agent; "
        "then the quiet ones swept as 15 minutes later)",
        f"{PY} -m bench.survey_replay",
        (
            "ending with thanks: asked at once **{closing_asked} of {closing}**, "
            "after 15 quiet minutes {closing_asked_when_quiet} more",
            "after a person resolved: **{after_person_asked} of {handed_over}**",
            "upset: **{upset_asked} of {upset}** asked, mid-problem: "
            "**{mid_problem_asked} of {mid_problem}** at once "
            "({quiet_asked_not} of them when quiet, the bot's answer done)",
            "scripted answers stored: {answers_stored} of {surveys_asked} "
            "(a check, not a response rate)",
        ),
        (
            Target("must_not_asked", "<=", 0, "never to the upset or mid-problem"),
            Target("after_person_rate", ">=", 1, "every resolve"),
            Target(
                "closing_eventually_rate",
                ">=",
                1,
                "every thanks-ending chat, at once or when quiet",
            ),
        ),
    ),
]
