import { describe, expect, it } from 'vitest';
import { modelChecks } from '../../src/app/model-checks.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { writeApp } from '../support/app-folder.js';

/**
 * The System module as imported Mendix 10 apps use it (issue 22): an app
 * naming the workflow entities, the consumed OData configuration and the
 * runtime's own System entities passes `kiln check`, and they compile to
 * Mendix's tables and columns.
 */
const APP = `name: T
modules: [Approvals]
security:
  level: production
  userRoles:
    Admin: [Approvals.Manager, System.Administrator]
    Member: [Approvals.Member, System.User]
`;

const DOMAIN = `moduleRoles: [Manager, Member]
entities:
  Expense:
    attributes:
      Amount: Decimal
      Status: Enumeration(System.WorkflowState)
    access:
      - { roles: [Manager], read: "*", write: "*", create: true, delete: true }
      - roles: [Member]
        read: "*"
        xpath: "[Approvals.Expense_Workflow/System.Workflow/System.WorkflowUserTask_Workflow/System.WorkflowUserTask/System.WorkflowUserTask_Assignees = '[%CurrentUser%]']"
  Receipt:
    generalization: System.FileDocument
associations:
  Expense_Workflow: { parent: Expense, child: System.Workflow }
  Expense_Group: { type: ReferenceSet, parent: Expense, child: System.WorkflowGroup }
  Expense_Job: { parent: Expense, child: System.BackgroundJob }
`;

const MICROFLOWS = {
  'modules/Approvals/microflows/MyOpenTasks.yaml': `allowedRoles: [Member]
returns: List of System.WorkflowUserTask
body:
  - retrieve:
      from: System.WorkflowUserTask
      xpath: "[State = 'InProgress' and System.WorkflowUserTask_Assignees = '[%CurrentUser%]' and System.WorkflowUserTask_Workflow/System.Workflow/System.Workflow_WorkflowDefinition/System.WorkflowDefinition[IsObsolete = false()]]"
      into: Tasks
  - return: $Tasks
`,
  'modules/Approvals/microflows/ODataConfiguration.yaml': `returns: System.ConsumedODataConfiguration
body:
  - create: { entity: System.ConsumedODataConfiguration, set: { ServiceUrl: "'https://example.com/odata/v4'", ProxyConfiguration: System.ProxyConfiguration.NoProxy }, into: Config }
  - create: { entity: System.HttpHeader, set: { Key: "'Authorization'", Value: "'Bearer x'", System.HttpHeader_ConsumedODataConfiguration: $Config }, into: H }
  - return: $Config
`,
};

describe('the System module of Mendix 10 in Kiln', () => {
  it('accepts an app that uses the workflow entities, their enumerations and associations, and the consumed OData configuration', async () => {
    const dir = writeApp({ 'app.yaml': APP, 'modules/Approvals/domain-model.yaml': DOMAIN, ...MICROFLOWS });
    const { model, diagnostics } = await loadModel(dir, { checks: modelChecks() });
    expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const tables = (names: string[]) => names.map((n) => model!.entities.get(n)?.table);
    expect(
      tables([
        'System.Workflow',
        'System.WorkflowDefinition',
        'System.WorkflowUserTask',
        'System.WorkflowUserTaskDefinition',
        'System.WorkflowEndedUserTask',
        'System.WorkflowGroup',
        'System.BackgroundJob',
        'System.PrivateFileDocument',
      ]),
    ).toEqual([
      'system$workflow',
      'system$workflowdefinition',
      'system$workflowusertask',
      'system$workflowusertaskdefinition',
      'system$workflowendedusertask',
      'system$workflowgroup',
      'system$backgroundjob',
      'system$privatefiledocument',
    ]);
    const task = model!.entities.get('System.WorkflowUserTask')!;
    expect(task.attributes.get('State')).toMatchObject({ type: 'Enumeration', enumeration: 'System.WorkflowUserTaskState', column: 'state' });
    expect(task.attributes.get('Outcome')).toMatchObject({ type: 'String', length: 200 });
    const assignees = model!.associations.get('System.WorkflowUserTask_Assignees')!;
    expect([assignees.type, assignees.parent, assignees.child, assignees.table, assignees.parentColumn, assignees.childColumn]).toEqual([
      'ReferenceSet',
      'System.WorkflowUserTask',
      'System.User',
      'system$workflowusertask_assignees',
      'system$workflowusertaskid',
      'system$userid',
    ]);
    expect(model!.entities.get('System.ConsumedODataConfiguration')!.persistable).toBe(false);
    expect(model!.enumerations.get('System.ProxyConfiguration')!.values.map((v) => v.key)).toEqual(['UseAppSettings', 'Override', 'NoProxy']);
    // System.User has Mendix's four system members (its table has system$owner and system$changedby).
    const user = model!.entities.get('System.User')!;
    expect(user.systemMembers).toEqual({ createdDate: true, changedDate: true, owner: true, changedBy: true });
  });

  it('refuses a workflow attribute or enumeration value Mendix does not have', async () => {
    const dir = writeApp({
      'app.yaml': APP,
      'modules/Approvals/domain-model.yaml': DOMAIN,
      'modules/Approvals/microflows/Bad.yaml': `body:
  - retrieve: { from: System.WorkflowUserTask, xpath: "[Status = 'Open']", into: Tasks }
  - createVariable: { name: S, type: System.WorkflowState, value: System.WorkflowState.Running }
`,
    });
    const { diagnostics } = await loadModel(dir, { checks: modelChecks() });
    const errors = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    expect(errors.some((e) => e.includes('Bad.yaml') && e.includes('Status'))).toBe(true);
    expect(errors.some((e) => e.includes('Bad.yaml') && e.includes('Running'))).toBe(true);
  });
});
