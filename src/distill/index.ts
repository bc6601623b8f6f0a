/** Public API of src/distill: the teacher, every distillation loss, and their composition. */
export { logitKdLoss, distributionalLoss, attentionMap, attentionTransferLoss } from './losses.js';
export { attentionBlocks, distillationLoss, DistilledStudent, type Distillation, type DistillationWeights, type StudentOutputs } from './distillation.js';
export { needsTeacher, teacherArch, checkTeacherFits } from './teacher.js';
