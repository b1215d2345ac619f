import { wso2ApimFormat } from './wso2-apim/index.js';

/**
 * The composition root of input formats: every format this build reads, one line each. A new
 * format is its folder under `src/parsers/<name>/` plus one line here.
 */
export const formats = [wso2ApimFormat] as const;

export type InputFormat = (typeof formats)[number]['name'];
