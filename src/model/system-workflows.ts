import type { DomainModelFile } from './schema/index.js';

/**
 * The workflow part of the System module as Mendix 10 has it: the entities
 * an app's workflows store and the non-persistable ones its workflow
 * microflows and pages use, with Mendix's names, types, lengths, defaults,
 * enumerations and associations. Kiln runs no workflows: these hold data
 * only (imported models that name them check and run, and a Mendix
 * database's workflow tables are recognised, see docs/model.md).
 */

/** Enumeration values as Mendix names them (the caption is the value). */
const values = (...names: string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, n]));

const USER_TASK_STATE = { type: 'Enumeration', enumeration: 'WorkflowUserTaskState', default: 'Created' } as const;
const COMPLETION_TYPE = { type: 'Enumeration', enumeration: 'WorkflowUserTaskCompletionType', default: 'Single' } as const;
const UNLIMITED = { type: 'String', length: 'unlimited' } as const;
const S200 = { type: 'String', length: 200 } as const;

/** A user task's attributes, running (WorkflowUserTask) or ended (WorkflowEndedUserTask). */
const USER_TASK_ATTRIBUTES = {
  Name: UNLIMITED,
  Description: UNLIMITED,
  StartTime: 'DateTime',
  DueDate: 'DateTime',
  EndTime: 'DateTime',
  Outcome: S200,
  State: USER_TASK_STATE,
  CompletionType: COMPLETION_TYPE,
} as const;

/** Who may see a task: its target users, the members of its target groups, its assignees. */
const TASK_USER =
  "System.WorkflowUserTask_TargetUsers = '[%CurrentUser%]' or System.WorkflowUserTask_TargetGroups/System.WorkflowGroup/System.WorkflowGroup_User = '[%CurrentUser%]' or System.WorkflowUserTask_Assignees = '[%CurrentUser%]'";

const ADMIN_READS: { roles: string[]; read: '*' } = { roles: ['Administrator'], read: '*' };

export const SYSTEM_WORKFLOWS: Required<Pick<DomainModelFile, 'enumerations' | 'entities' | 'associations'>> = {
  enumerations: {
    WorkflowState: values('InProgress', 'Paused', 'Completed', 'Aborted', 'Incompatible', 'Failed'),
    WorkflowUserTaskState: values('Created', 'InProgress', 'Completed', 'Paused', 'Aborted', 'Failed'),
    WorkflowUserTaskCompletionType: values('Single', 'Veto', 'Consensus', 'Majority', 'Threshold', 'Microflow'),
    WorkflowActivityExecutionState: values('Created', 'InProgress', 'Completed', 'Paused', 'Aborted', 'Failed'),
    WorkflowActivityType: values(
      'Start',
      'End',
      'ExclusiveSplit',
      'ParallelSplit',
      'ParallelSplitBranchStopper',
      'ParallelSplitMerge',
      'UserTask',
      'CallMicroflow',
      'CallWorkflow',
      'JumpTo',
      'MultiInputUserTask',
      'WaitForNotification',
      'WaitForTimer',
      'EndOfBoundaryEventPath',
      'NonInterruptingTimerEvent',
      'InterruptingTimerEvent',
    ),
    WorkflowCurrentActivityAction: values('DoNothing', 'JumpTo'),
    WorkflowEventType: values(
      'WorkflowCompleted',
      'WorkflowInitiated',
      'WorkflowRestarted',
      'WorkflowFailed',
      'WorkflowAborted',
      'WorkflowPaused',
      'WorkflowUnpaused',
      'WorkflowRetried',
      'WorkflowUpdated',
      'WorkflowUpgraded',
      'WorkflowConflicted',
      'WorkflowResolved',
      'WorkflowJumpToOptionApplied',
      'StartEventExecuted',
      'EndEventExecuted',
      'DecisionExecuted',
      'JumpExecuted',
      'ParallelSplitExecuted',
      'ParallelMergeExecuted',
      'CallWorkflowStarted',
      'CallWorkflowEnded',
      'CallMicroflowStarted',
      'CallMicroflowEnded',
      'WaitForNotificationStarted',
      'WaitForNotificationEnded',
      'WaitForTimerStarted',
      'WaitForTimerEnded',
      'UserTaskStarted',
      'MultiUserTaskOutcomeSelected',
      'UserTaskEnded',
      'NonInterruptingTimerEventExecuted',
      'InterruptingTimerEventExecuted',
    ),
  },
  entities: {
    // Persistable: what a running Mendix stores about its workflows.
    Workflow: {
      attributes: {
        Name: S200,
        Description: UNLIMITED,
        StartTime: 'DateTime',
        EndTime: 'DateTime',
        DueDate: 'DateTime',
        CanBeRestarted: { type: 'Boolean', default: false },
        CanBeContinued: { type: 'Boolean', default: false },
        CanApplyJumpTo: { type: 'Boolean', default: true },
        State: { type: 'Enumeration', enumeration: 'WorkflowState', default: 'InProgress' },
        Reason: UNLIMITED,
      },
      systemMembers: { owner: true },
      access: [
        ADMIN_READS,
        {
          roles: ['User'],
          read: '*',
          xpath: `[System.WorkflowUserTask_Workflow/System.WorkflowUserTask[State = 'InProgress' and (${TASK_USER})]]`,
        },
      ],
    },
    WorkflowDefinition: {
      attributes: {
        Name: S200,
        Title: S200,
        IsObsolete: { type: 'Boolean', default: false },
        IsLocked: { type: 'Boolean', default: false },
      },
      access: [ADMIN_READS],
    },
    WorkflowUserTask: {
      attributes: USER_TASK_ATTRIBUTES,
      access: [
        ADMIN_READS,
        {
          roles: ['User'],
          read: '*',
          xpath: `[State = 'InProgress' and (${TASK_USER}) and System.WorkflowUserTask_Workflow/System.Workflow[State != 'Incompatible' and State != 'Failed']]`,
        },
      ],
    },
    WorkflowUserTaskDefinition: {
      attributes: { Name: S200, IsObsolete: { type: 'Boolean', default: false } },
      access: [ADMIN_READS],
    },
    WorkflowUserTaskOutcome: {
      attributes: { Outcome: S200, Time: 'DateTime' },
      access: [
        ADMIN_READS,
        {
          roles: ['User'],
          read: '*',
          xpath: `[System.WorkflowUserTaskOutcome_WorkflowUserTask/System.WorkflowUserTask[State = 'InProgress' and (System.WorkflowUserTask_TargetUsers = '[%CurrentUser%]' or System.WorkflowUserTask_Assignees = '[%CurrentUser%]')]]`,
        },
      ],
    },
    WorkflowEndedUserTask: {
      attributes: { ...USER_TASK_ATTRIBUTES, UserTaskKey: S200 },
      access: [ADMIN_READS, { roles: ['User'], read: '*', xpath: "[System.WorkflowEndedUserTask_Assignees = '[%CurrentUser%]']" }],
    },
    WorkflowEndedUserTaskOutcome: {
      attributes: { Outcome: S200, Time: 'DateTime' },
      access: [
        ADMIN_READS,
        {
          roles: ['User'],
          read: '*',
          xpath:
            "[System.WorkflowEndedUserTaskOutcome_WorkflowEndedUserTask/System.WorkflowEndedUserTask/System.WorkflowEndedUserTask_Assignees = '[%CurrentUser%]']",
        },
      ],
    },
    WorkflowGroup: {
      attributes: { Name: S200, Description: UNLIMITED },
      validation: [{ attribute: 'Name', unique: 'A workflow group with this name already exists.' }],
      access: [ADMIN_READS, { roles: ['User'], read: '*', xpath: "[System.WorkflowGroup_User = '[%CurrentUser%]']" }],
    },
    // Not persistable: what Mendix's workflow actions and pages pass around.
    WorkflowJumpToDetails: { persistable: false, attributes: { Error: UNLIMITED } },
    WorkflowCurrentActivity: {
      persistable: false,
      attributes: { Action: { type: 'Enumeration', enumeration: 'WorkflowCurrentActivityAction', default: 'DoNothing' } },
    },
    WorkflowActivityDetails: {
      persistable: false,
      attributes: {
        ActivityId: { type: 'String', length: 50 },
        ActivityCaption: UNLIMITED,
        ActivityType: { type: 'Enumeration', enumeration: 'WorkflowActivityType' },
        ExistsInCurrentVersion: { type: 'Boolean', default: true },
      },
    },
    WorkflowRecord: {
      persistable: false,
      attributes: {
        WorkflowKey: S200,
        Name: S200,
        Description: UNLIMITED,
        State: { type: 'Enumeration', enumeration: 'WorkflowState' },
        StartTime: 'DateTime',
        DueDate: 'DateTime',
        EndTime: 'DateTime',
        Reason: UNLIMITED,
      },
    },
    WorkflowActivityRecord: {
      persistable: false,
      attributes: {
        ModelGUID: S200,
        ActivityKey: S200,
        PreviousActivityKey: S200,
        ActivityType: { type: 'Enumeration', enumeration: 'WorkflowActivityType' },
        Caption: UNLIMITED,
        State: { type: 'Enumeration', enumeration: 'WorkflowActivityExecutionState' },
        StartTime: 'DateTime',
        EndTime: 'DateTime',
        Outcome: S200,
        MicroflowName: S200,
        TaskName: UNLIMITED,
        TaskDescription: UNLIMITED,
        TaskDueDate: 'DateTime',
        TaskCompletionType: { type: 'Enumeration', enumeration: 'WorkflowUserTaskCompletionType' },
        TaskRequiredUsers: { type: 'Integer', default: 0 },
        TaskKey: S200,
        Reason: UNLIMITED,
      },
    },
    WorkflowEvent: {
      persistable: false,
      attributes: { EventTime: 'DateTime', EventType: { type: 'Enumeration', enumeration: 'WorkflowEventType' } },
    },
  },
  associations: {
    Workflow_WorkflowDefinition: { type: 'Reference', parent: 'Workflow', child: 'WorkflowDefinition' },
    Workflow_ParentWorkflow: { type: 'Reference', parent: 'Workflow', child: 'Workflow' },
    WorkflowUserTaskDefinition_WorkflowDefinition: { type: 'Reference', parent: 'WorkflowUserTaskDefinition', child: 'WorkflowDefinition' },
    WorkflowUserTask_Workflow: { type: 'Reference', parent: 'WorkflowUserTask', child: 'Workflow' },
    WorkflowUserTask_WorkflowUserTaskDefinition: { type: 'Reference', parent: 'WorkflowUserTask', child: 'WorkflowUserTaskDefinition' },
    WorkflowUserTask_TargetUsers: { type: 'ReferenceSet', parent: 'WorkflowUserTask', child: 'User' },
    WorkflowUserTask_Assignees: { type: 'ReferenceSet', parent: 'WorkflowUserTask', child: 'User' },
    WorkflowUserTask_TargetGroups: { type: 'ReferenceSet', parent: 'WorkflowUserTask', child: 'WorkflowGroup' },
    WorkflowUserTaskOutcome_WorkflowUserTask: { type: 'Reference', parent: 'WorkflowUserTaskOutcome', child: 'WorkflowUserTask' },
    WorkflowUserTaskOutcome_User: { type: 'Reference', parent: 'WorkflowUserTaskOutcome', child: 'User' },
    WorkflowEndedUserTask_Workflow: { type: 'Reference', parent: 'WorkflowEndedUserTask', child: 'Workflow' },
    WorkflowEndedUserTask_WorkflowUserTaskDefinition: { type: 'Reference', parent: 'WorkflowEndedUserTask', child: 'WorkflowUserTaskDefinition' },
    WorkflowEndedUserTask_TargetUsers: { type: 'ReferenceSet', parent: 'WorkflowEndedUserTask', child: 'User' },
    WorkflowEndedUserTask_Assignees: { type: 'ReferenceSet', parent: 'WorkflowEndedUserTask', child: 'User' },
    WorkflowEndedUserTask_TargetGroups: { type: 'ReferenceSet', parent: 'WorkflowEndedUserTask', child: 'WorkflowGroup' },
    WorkflowEndedUserTaskOutcome_WorkflowEndedUserTask: { type: 'Reference', parent: 'WorkflowEndedUserTaskOutcome', child: 'WorkflowEndedUserTask' },
    WorkflowEndedUserTaskOutcome_User: { type: 'Reference', parent: 'WorkflowEndedUserTaskOutcome', child: 'User' },
    WorkflowGroup_User: { type: 'ReferenceSet', parent: 'WorkflowGroup', child: 'User' },
    WorkflowJumpToDetails_Workflow: { type: 'Reference', parent: 'WorkflowJumpToDetails', child: 'Workflow' },
    WorkflowJumpToDetails_CurrentActivities: { type: 'ReferenceSet', parent: 'WorkflowJumpToDetails', child: 'WorkflowCurrentActivity' },
    WorkflowCurrentActivity_ActivityDetails: { type: 'Reference', parent: 'WorkflowCurrentActivity', child: 'WorkflowActivityDetails' },
    WorkflowCurrentActivity_ApplicableTargets: { type: 'ReferenceSet', parent: 'WorkflowCurrentActivity', child: 'WorkflowActivityDetails' },
    WorkflowCurrentActivity_JumpToTarget: { type: 'Reference', parent: 'WorkflowCurrentActivity', child: 'WorkflowActivityDetails' },
    WorkflowRecord_Workflow: { type: 'Reference', parent: 'WorkflowRecord', child: 'Workflow' },
    WorkflowRecord_Owner: { type: 'Reference', parent: 'WorkflowRecord', child: 'User' },
    WorkflowRecord_WorkflowDefinition: { type: 'Reference', parent: 'WorkflowRecord', child: 'WorkflowDefinition' },
    WorkflowActivityRecord_PreviousActivity: { type: 'Reference', parent: 'WorkflowActivityRecord', child: 'WorkflowActivityRecord' },
    WorkflowActivityRecord_Actor: { type: 'Reference', parent: 'WorkflowActivityRecord', child: 'User' },
    WorkflowActivityRecord_SubWorkflow: { type: 'Reference', parent: 'WorkflowActivityRecord', child: 'WorkflowRecord' },
    WorkflowActivityRecord_UserTask: { type: 'Reference', parent: 'WorkflowActivityRecord', child: 'WorkflowUserTask' },
    WorkflowActivityRecord_WorkflowUserTaskDefinition: { type: 'Reference', parent: 'WorkflowActivityRecord', child: 'WorkflowUserTaskDefinition' },
    WorkflowActivityRecord_TaskTargetedUsers: { type: 'ReferenceSet', parent: 'WorkflowActivityRecord', child: 'User' },
    WorkflowActivityRecord_TaskAssignedUsers: { type: 'ReferenceSet', parent: 'WorkflowActivityRecord', child: 'User' },
    WorkflowActivityRecord_TaskTargetedGroups: { type: 'ReferenceSet', parent: 'WorkflowActivityRecord', child: 'WorkflowGroup' },
    WorkflowEvent_Initiator: { type: 'Reference', parent: 'WorkflowEvent', child: 'User' },
  },
};
