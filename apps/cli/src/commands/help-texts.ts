// Every command's --help text, in a module that imports nothing, so `sfn-bullmq <command> --help`
// prints without loading the AWS SDK, BullMQ or Express (the command modules load them).

export const BRIDGE_HELP = `Usage: sfn-bullmq bridge --config FILE

Runs the bridge: keeps long GetActivityTask polls open for each activity in the
config file and turns every task token into one BullMQ job. Serves /metrics,
/healthz, /readyz and Bull Board at /admin/queues.

Options:
  -c, --config FILE   the config file (YAML or JSON); 'sfn-bullmq init' writes a starter
  -h, --help          show this help

Environment (overrides the file): REDIS_URL, AWS_REGION, SFN_ENDPOINT, PORT, HTTP_HOST, LOG_LEVEL.
BOARD_USER and BOARD_PASSWORD turn on Basic auth for the dashboard (required when
listening beyond loopback). Step Functions credentials come from the standard AWS chain;
for an endpoint on loopback (an emulator) with none set, dummy ones are used.

SIGINT/SIGTERM: /readyz turns 503, open polls drain and their tokens are stored,
then the process exits 0. A second signal stops without waiting (exit code 130).
`;

export const EMULATOR_HELP = `Usage: sfn-bullmq emulator [options]

Runs the Step Functions emulator on HTTP: activities (GetActivityTask long polls,
SendTask*), state machines and executions, with fault injection. Point the AWS
SDK (or a bridge's SFN_ENDPOINT) at the endpoint it prints; any credentials work
(the bridge and dev fill in dummy ones for a loopback endpoint when none are set).

Options:
  --port N                 TCP port, 0 for a free one (default 8083)
  --host ADDR              interface to listen on (default 127.0.0.1)
  --region R               region in ARNs (default us-east-1)
  --account-id ID          12-digit account id in ARNs (default 123456789012)
  --poll-timeout-ms MS     how long a GetActivityTask is held (default 60000, as AWS)
  --activity NAME          create this activity at start (repeatable)
  --drop-rate P            fault: share of token deliveries never answered, 0–1: the task
                           starts and its token is lost (default 0)
  --stall-followers K      fault: polls frozen behind each dropped one until its deadline (default 10)
  --latency-ms MS          fault: added latency per call (default 0)
  --error-rate P           fault: share of calls answered HTTP 500 or 503, 0–1 (default 0)
  --throttle               token buckets per API with AWS's default limits
  --definition FILE        create this state machine (Amazon States Language JSON) at start,
                           and the activities its Task states name (by the name in their ARN;
                           the ARNs are pointed at this emulator's region and account)
  -h, --help               show this help

SIGINT/SIGTERM stop it and exit 0.
`;

export const DEV_HELP = `Usage: sfn-bullmq dev [options]

Everything at once, no AWS account needed: Redis (REDIS_URL, or a private
redis-server), the Step Functions emulator with a sample state machine
(resize-image, then charge-card; declined cards are caught), the bridge with
metrics, health and Bull Board, the example worker, and sample executions at a
steady rate, with a live progress line. Ctrl-C stops everything cleanly (a
second Ctrl-C stops at once).

Options:
  --rate N                 sample executions started per second (default 5; 0 for none)
  --duration-s S           stop by itself after S seconds (default: run until Ctrl-C)
  --decline-rate P         share of sample orders whose card is declined, 0–1 (default 0.1)
  --port N                 HTTP port of the bridge, 0 for a free one (default 3000)
  --host ADDR              HTTP interface (default 127.0.0.1)
  --polls N                open polls per activity (default 100)
  --workers N              example worker processes (default 1)
  --concurrency N          jobs at once per worker process (default 50)
  --work-ms MS             simulated work per task in the example worker (default: the worker's)
  --poll-timeout-ms MS     how long the embedded emulator holds a poll (default 5000; AWS holds 60000,
                           and a stop waits for open polls to return)
  --sfn-endpoint URL       use this Step Functions endpoint instead of the embedded emulator
                           (e.g. a separate 'sfn-bullmq emulator')
  --aws                    use real AWS Step Functions (credentials from the standard AWS chain);
                           needs --role-arn for the sample state machine
  --region R               AWS region (default AWS_REGION, else us-east-1)
  --role-arn ARN           IAM role the sample state machine runs as (real AWS only)
  --log-dir DIR            where the bridge and worker logs go (default: a new temp folder)
  --definition FILE        run your own state machine (Amazon States Language JSON) instead of the
                           sample: creates the activities its Tasks name (by the name in the ARN) and
                           the machine; once by default, printing its status and output, and exits 0
                           if it succeeded, 1 if not; with --rate N, N executions/s until Ctrl-C
  --input FILE             the executions' input, JSON (default {}); needs --definition
  --worker MODULE          your handlers (ESM or CommonJS): the export 'handlers', or the default export,
                           maps each activity name to a handler (input, context) => output; one
                           ActivityWorker per activity runs in dev's process. Default: the example
                           worker (it serves resize-image and charge-card); needs --definition
  -h, --help               show this help

Environment: REDIS_URL (use this Redis instead of a private one), BOARD_USER and
BOARD_PASSWORD (Basic auth on the dashboard), LOG_LEVEL (log files, default info).
`;
