// The help texts of every command, with an example each. Kept apart from the commands so that
// `--help` and `--version` load nothing else (the CLI's first output must come fast: docs/CLI.md).

export const COMMANDS = ['export', 'list', 'status', 'download', 'resume'] as const;
export type CommandName = (typeof COMMANDS)[number];

const COMMON = `Common options:
  --definitions FILE   the definitions file (default: .vscode/zoho-exports.json, looked up from
                       the current folder upward)
  --simulator URL      run against the local Zoho Creator simulator (npm run sim) as its demo account
  --json               one JSON object per line (JSON Lines) instead of text
  -h, --help           this help`;

const POLL = `  --poll-seconds N     seconds before a new job's first status check (default 5)
  --max-poll-seconds N longest wait between two status checks (default 600); later checks come
                       after a quarter of the job's age, at least 30 s apart, to spare the
                       account's daily API calls`;

export const MAIN_HELP = `creator-bulk-jobs: run saved Zoho Creator bulk read exports from a terminal, CI or cron.

Usage: creator-bulk-jobs <command> [options]

Commands:
  export <name...> | --all   run saved definitions; write each merged, count-verified CSV
  list                       show the definitions and their problems (file:line:column)
  status <job-id>            ask Zoho for a job's status
  download <job-id>          download a completed job's CSV (count-verified)
  resume [--most-recent | <export-id>]
                             carry on an export that was interrupted

Credentials come from the environment (never from a file): ZOHO_REFRESH_TOKEN with
ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET, or ZOHO_ACCESS_TOKEN; ZOHO_DATA_CENTRE (US, EU, IN, AU,
JP, CN, CA, SA, UK) or ZOHO_ACCOUNTS_URL; ZOHO_OWNER. See docs/CLI.md.

Exit codes: 0 done, 1 unexpected error, 2 usage or definitions problem, 3 sign-in problem,
4 Zoho refused, 5 records did not add up, 6 interrupted (resume), 7 daily API limit reached.

Run "creator-bulk-jobs <command> --help" for a command's options. --version prints the version.`;

export const HELP: Record<CommandName, string> = {
  export: `Usage: creator-bulk-jobs export <name...> | --all [options]

Runs saved export definitions one after another. Each writes its merged CSV to its destination
(relative to the folder holding .vscode/) only once every batch is in and the records add up to
what Zoho counted; one summary line per export follows. An incremental definition
("mode": "incremental") updates its snapshot with what changed since its last run.

Options:
  --all                run every definition in the file
  --overwrite          replace a destination file that exists already (default: refuse)
  --restart            discard an earlier run of the definition that did not finish (its
                       working file too) and start again, instead of "resume"
  --full               run incremental definitions full this time (the whole report; finds
                       the records deleted since the last full run)
${POLL}
${COMMON}

Examples:
  creator-bulk-jobs export --all
  creator-bulk-jobs export "Nightly orders" --json > events.jsonl`,
  list: `Usage: creator-bulk-jobs list [options]

Shows the definitions of the file and its problems, each with file:line:column, as the editor
marks them. Exits with 2 when the file has an error.

${COMMON}

Example:
  creator-bulk-jobs list --definitions ci/zoho-exports.json`,
  status: `Usage: creator-bulk-jobs status <job-id> [options]

Asks Zoho for the job's status (one API call) and prints it. A job this tool created or
downloaded is known by its id alone; any other job needs --app and --report.

Options:
  --app LINK_NAME      the application of the job's report
  --report LINK_NAME   the report
  --owner NAME         the app's owner when it is not ZOHO_OWNER
${COMMON}

Example:
  creator-bulk-jobs status 2000000018003 --app zylker-store --report All_Orders`,
  download: `Usage: creator-bulk-jobs download <job-id> [--out FILE] [options]

Downloads a completed job's result, checks that the CSV holds the records Zoho counted, and
writes it under FILE (default <report>_<job-id>.csv in the current folder). A running job is
waited for.

Options:
  --out FILE           where to write the CSV
  --overwrite          replace FILE if it exists
  --app, --report, --owner   as for status, for a job this tool does not know yet
${POLL}
${COMMON}

Example:
  creator-bulk-jobs download 2000000018003 --app zylker-store --report All_Orders --out orders.csv`,
  resume: `Usage: creator-bulk-jobs resume [--most-recent | <export-id>] [options]

Carries on an export that stopped before it completed (Ctrl+C, a killed run, the daily limit).
While Zoho still accepts its record cursor (15 minutes after its last batch) it goes on from the
next batch; otherwise it starts again from the first batch. The export ids are in the state
folder; "creator-bulk-jobs resume" without arguments lists them.

Options:
  --most-recent        the export started last that did not complete
${POLL}
${COMMON}

Example:
  creator-bulk-jobs resume --most-recent`,
};
