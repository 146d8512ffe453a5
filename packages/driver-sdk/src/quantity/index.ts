export { formatCpuQuantity, formatMemoryQuantity, parseCpuQuantity, parseMemoryQuantity } from './quantity.js';
