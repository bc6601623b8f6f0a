/** src/serve: `groupnas serve`, the local dashboard over run directories, and what it reads them with. */
export { startDashboard, ASSETS_DIR, type Dashboard, type DashboardOptions } from './server.js';
export { RunsRoot, RunRequestError, checkRelativePath } from './run-path.js';
export { listRuns, runView, findRunIds, runKindOf, type RunView } from './run-list.js';
export { runStatus, type RunKind, type RunStatus, type RunSummary } from './run-summary.js';
export { searchView, type SearchView, type CandidateRow, type SearchEpoch } from './search-view.js';
export { trainingView, isTeacher, type TrainingView } from './training-view.js';
export { reproduceView, type ReproduceView, type ReproduceRow } from './reproduce-view.js';
export { archSvg } from './arch-svg.js';
export { testImagesFor, nodeLatencyOf, type TestImages, type NodeLatency } from './model-service.js';
export { MAX_RUN_FILE_BYTES, type RunFileProblem } from './run-files.js';
