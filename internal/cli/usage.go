package cli

const usage = `rollbar-deploy records deploys in Rollbar from CI or a terminal.

Usage:
  rollbar-deploy [record] [flags]            record a deploy (with a deploy id: update it)
  rollbar-deploy update --deploy-id N --status S
  rollbar-deploy get N [--json]              show one deploy
  rollbar-deploy list [--page N] [--all] [--environment E] [--limit N] [--json]
  rollbar-deploy sourcemaps [MAP|DIR|GLOB…] --url-prefix URL
                                             upload source maps for the revision

Flags (each also an Action input, a PLUGIN_ setting and a variable):
  --environment E       ROLLBAR_ENVIRONMENT, ROLLBAR_ENV     required; from the CI where it knows it
  --revision SHA        ROLLBAR_REVISION                     default: the CI's commit, else git HEAD
  --status S            ROLLBAR_DEPLOY_STATUS                started, succeeded (default), failed, timed_out
  --local-username U    ROLLBAR_LOCAL_USERNAME               default: the commit's committer
  --rollbar-username U  ROLLBAR_USERNAME
  --comment TEXT        ROLLBAR_COMMENT                      default: the URL of the CI run
  --deploy-id N         ROLLBAR_DEPLOY_ID, DEPLOY_ID         update this deploy instead of recording one
  --access-token T      ROLLBAR_ACCESS_TOKEN                 post_server_item scope; required to send
  --read-access-token T ROLLBAR_READ_ACCESS_TOKEN            read scope: get, list, duplicate checks
  --source-maps LIST    ROLLBAR_SOURCE_MAPS                  .map files, directories or globs
  --minified-urls LIST  ROLLBAR_MINIFIED_URLS                one URL for each source map
  --url-prefix URL      ROLLBAR_URL_PREFIX                   where the minified files are served
  --fail-on-error P     ROLLBAR_FAIL_ON_ERROR                config (default), always, never
  --api-url URL         ROLLBAR_API_URL, ROLLBAR_ENDPOINT    default https://api.rollbar.com
  --timeout D           ROLLBAR_TIMEOUT                      the whole run, retries included (default 30s)
  --dotenv FILE         ROLLBAR_DOTENV                       write ROLLBAR_DEPLOY_ID for GitLab's dotenv report
  --dry-run             ROLLBAR_DRY_RUN                      show the request and each value's source; send nothing
  --verbose             ROLLBAR_VERBOSE                      log every request (never a token)
  --json                                                     machine-readable output
  --help, --version

Exit codes: 0 success (or a failure fail_on_error tolerates), 1 the request failed,
2 usage or configuration error.
`
