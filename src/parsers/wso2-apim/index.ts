import { defineFormat } from '../format.js';
import { parseLine } from './parse.js';

/** WSO2 API Manager 4.x `apim_metrics.log` (and APK / Choreo Connect's same grammar). */
export const wso2ApimFormat = defineFormat({
  name: 'wso2-apim',
  summary: 'WSO2 API Manager 4.x `apim_metrics.log`',
  parser: { parseLine },
});
