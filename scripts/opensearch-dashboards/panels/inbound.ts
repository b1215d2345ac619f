/** Inbound (ingress) traffic and API analytics panels (WSO2's Inbound Traffic and API Analytics). */
import { count, dateHistogram, terms } from '../aggs.js';
import { RESPONSES } from '../index-patterns.js';
import type { Panel } from '../panel.js';
import { controlsVis, pieVis, tableVis, xyVis } from '../vis.js';

export const trafficControls: Panel = {
  id: 'gax-osd-controls-traffic',
  title: 'Traffic Filter',
  view: RESPONSES,
  chart: 'input controls',
  what: 'API → application option lists; a selection filters every panel.',
  vis: controlsVis([
    { field: 'apiName.keyword', label: 'API' },
    { field: 'applicationName.keyword', label: 'Application', parent: 0 },
  ]),
};

export const apiUsageOverTime: Panel = {
  id: 'gax-osd-api-usage-over-time',
  title: 'API Usage Over Time',
  view: RESPONSES,
  chart: 'area',
  what: 'Response events over time.',
  vis: xyVis('area', [count('Hit Count'), dateHistogram()], { stacked: true, axisTitle: 'Hit Count' }),
};

export const usageByApplication: Panel = {
  id: 'gax-osd-usage-by-application',
  title: 'API Usage By Application',
  view: RESPONSES,
  chart: 'donut',
  what: 'Response events by the top 10 applications (applicationName).',
  vis: pieVis([count(), terms('applicationName.keyword', 10, 'segment', 'Application')]),
};

export const usageByBackend: Panel = {
  id: 'gax-osd-usage-by-backend',
  title: 'API Usage By Backend',
  view: RESPONSES,
  chart: 'donut',
  what: 'Response events by the top 10 backends (destination).',
  vis: pieVis([count(), terms('destination.keyword', 10, 'segment', 'Backend')]),
};

export const resourceUsage: Panel = {
  id: 'gax-osd-resource-usage',
  title: 'API Resource Usage Summary',
  view: RESPONSES,
  chart: 'table',
  what: 'Calls per API, resource template and method.',
  vis: tableVis([
    count('Calls'),
    terms('apiName.keyword', 10, 'bucket', 'API Name'),
    terms('apiResourceTemplate.keyword', 10, 'bucket', 'Resource Path'),
    terms('apiMethod.keyword', 5, 'bucket', 'Method'),
  ]),
};

export const apiControls: Panel = {
  id: 'gax-osd-controls-api',
  title: 'API Filter',
  view: RESPONSES,
  chart: 'input controls',
  what: 'API → API version option lists.',
  vis: controlsVis([
    { field: 'apiName.keyword', label: 'API' },
    { field: 'apiVersion.keyword', label: 'Version', parent: 0 },
  ]),
};

export const overallApiUsage: Panel = {
  id: 'gax-osd-overall-api-usage',
  title: 'Overall API Usage',
  view: RESPONSES,
  chart: 'area, stacked',
  what: 'Response events over time for the top 10 APIs.',
  vis: xyVis('area', [count('Hits'), dateHistogram(), terms('apiName.keyword', 10, 'group', 'API Name')], {
    stacked: true,
    axisTitle: 'Hits',
  }),
};

export const topAppCreators: Panel = {
  id: 'gax-osd-top-application-creators',
  title: 'Top Application Creators',
  view: RESPONSES,
  chart: 'donut',
  what: 'Response events by the top 10 application owners (applicationOwner).',
  vis: pieVis([count(), terms('applicationOwner.keyword', 10, 'segment', 'Application Owner')]),
};

export const topApiCreators: Panel = {
  id: 'gax-osd-top-api-creators',
  title: 'Top API Creators',
  view: RESPONSES,
  chart: 'donut',
  what: 'Response events by the top 10 API creators (apiCreator).',
  vis: pieVis([count(), terms('apiCreator.keyword', 10, 'segment', 'API Creator')]),
};

export const usageByApplicationTable: Panel = {
  id: 'gax-osd-usage-by-application-table',
  title: 'API Usage By Application (table)',
  view: RESPONSES,
  chart: 'table',
  what: 'Calls per API, version and application.',
  vis: tableVis([
    count('Calls'),
    terms('apiName.keyword', 10, 'bucket', 'API Name'),
    terms('apiVersion.keyword', 5, 'bucket', 'Version'),
    terms('applicationName.keyword', 10, 'bucket', 'Application'),
  ]),
};

export const usageByVersion: Panel = {
  id: 'gax-osd-usage-by-version',
  title: 'API Usage By Version',
  view: RESPONSES,
  chart: 'table',
  what: 'Calls per API and version.',
  vis: tableVis([
    count('Calls'),
    terms('apiName.keyword', 10, 'bucket', 'API Name'),
    terms('apiVersion.keyword', 5, 'bucket', 'Version'),
  ]),
};

export const backendUsage: Panel = {
  id: 'gax-osd-backend-usage',
  title: 'API Backend Usage Summary',
  view: RESPONSES,
  chart: 'table',
  what: 'Calls per API, version, context and backend (destination).',
  vis: tableVis([
    count('Calls'),
    terms('apiName.keyword', 10, 'bucket', 'API Name'),
    terms('apiVersion.keyword', 5, 'bucket', 'Version'),
    terms('apiContext.keyword', 5, 'bucket', 'Context'),
    terms('destination.keyword', 5, 'bucket', 'Destination'),
  ]),
};

export const usageByResource: Panel = {
  id: 'gax-osd-usage-by-resource',
  title: 'API Usage by Resource',
  view: RESPONSES,
  chart: 'table',
  what: 'Calls per API, version, resource template and method.',
  vis: tableVis([
    count('Calls'),
    terms('apiName.keyword', 10, 'bucket', 'API Name'),
    terms('apiVersion.keyword', 5, 'bucket', 'Version'),
    terms('apiResourceTemplate.keyword', 10, 'bucket', 'Resource Path'),
    terms('apiMethod.keyword', 5, 'bucket', 'Method'),
  ]),
};
