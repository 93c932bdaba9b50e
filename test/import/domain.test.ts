import { describe, expect, it } from 'vitest';
import { convertDomainModel } from '../../src/import/domain.js';
import { ModelIndex } from '../../src/import/model-index.js';
import { Reporter } from '../../src/import/report.js';
import type { MxObject, MxUnit } from '../../src/import/units.js';

const caption = (t: string) => ({ $Type: 'Texts$Text', Items: [{ $Type: 'Texts$Translation', LanguageCode: 'en_US', Text: t }] });
const attr = (id: string, name: string, type: MxObject, value: MxObject = { $Type: 'DomainModels$StoredValue', DefaultValue: '' }) => ({
  $ID: id,
  $Type: 'DomainModels$Attribute',
  Name: name,
  NewType: type,
  Value: value,
});
const t = (name: string, extra: Record<string, unknown> = {}) => ({ $Type: `DomainModels$${name}AttributeType`, ...extra });

/** A Mendix 10 domain model with every attribute type, rules, events, indexes, generalization and associations. */
const domainModel: MxObject = {
  $Type: 'DomainModels$DomainModel',
  Entities: [
    {
      $ID: 'e1',
      $Type: 'DomainModels$EntityImpl',
      Name: 'Order',
      MaybeGeneralization: { $Type: 'DomainModels$NoGeneralization', Persistable: true, HasCreatedDateAttr: true, HasOwnerAttr: true },
      Attributes: [
        attr('a1', 'Number', t('AutoNumber')),
        attr('a2', 'Code', t('String', { Length: 20 }), { $Type: 'DomainModels$StoredValue', DefaultValue: 'X' }),
        attr('a3', 'Note', t('String', { Length: 0 })),
        attr('a4', 'Count', t('Integer'), { $Type: 'DomainModels$StoredValue', DefaultValue: '3' }),
        attr('a5', 'Big', t('Long')),
        attr('a6', 'Total', t('Decimal'), { $Type: 'DomainModels$StoredValue', DefaultValue: '1.50' }),
        attr('a7', 'Paid', t('Boolean'), { $Type: 'DomainModels$StoredValue', DefaultValue: 'true' }),
        attr('a8', 'Birthday', t('DateTime', { LocalizeDate: false })),
        attr('a9', 'Status', t('Enumeration', { Enumeration: 'Shop.Status' }), { $Type: 'DomainModels$StoredValue', DefaultValue: 'Open' }),
        attr('a10', 'Blob', t('Binary')),
        attr('a11', 'Secret', t('HashedString')),
        attr('a12', 'Rate', t('Float')),
        attr('a13', 'Score', t('Integer'), { $Type: 'DomainModels$CalculatedValue', Microflow: 'Shop.CalcScore' }),
      ],
      ValidationRules: [
        {
          $Type: 'DomainModels$ValidationRule',
          Attribute: 'Shop.Order.Code',
          ErrorMessage: caption('Code is required'),
          RuleInfo: { $Type: 'DomainModels$RequiredRuleInfo' },
        },
        {
          $Type: 'DomainModels$ValidationRule',
          Attribute: 'Shop.Order.Code',
          ErrorMessage: caption('Code is taken'),
          RuleInfo: { $Type: 'DomainModels$UniqueRuleInfo' },
        },
        {
          $Type: 'DomainModels$ValidationRule',
          Attribute: 'Shop.Order.Count',
          ErrorMessage: caption('1 to 10'),
          RuleInfo: { $Type: 'DomainModels$RangeRuleInfo', TypeOfRange: 'Between', MinValue: '1', MaxValue: '10' },
        },
        {
          $Type: 'DomainModels$ValidationRule',
          Attribute: 'Shop.Order.Note',
          ErrorMessage: caption('Too long'),
          RuleInfo: { $Type: 'DomainModels$MaxLengthRuleInfo', MaxLength: 500 },
        },
        {
          $Type: 'DomainModels$ValidationRule',
          Attribute: 'Shop.Order.Code',
          ErrorMessage: caption('Letters'),
          RuleInfo: { $Type: 'DomainModels$RegExRuleInfo', RegularExpression: 'Shop.Letters' },
        },
      ],
      Events: [
        { $Type: 'DomainModels$EventHandler', Moment: 'Before', Event: 'Commit', Microflow: 'Shop.BCo_Order', RaiseErrorOnFalse: false, PassEventObject: true },
        {
          $Type: 'DomainModels$EventHandler',
          Moment: 'After',
          Event: 'RollBack',
          Microflow: 'Shop.ARo_Order',
          RaiseErrorOnFalse: true,
          PassEventObject: false,
        },
      ],
      Indexes: [
        {
          $Type: 'DomainModels$EntityIndex',
          Attributes: [
            { AttributePointer: 'a2', Ascending: true },
            { AttributePointer: 'a4', Ascending: false },
          ],
        },
      ],
      AccessRules: [
        {
          $Type: 'DomainModels$AccessRule',
          AllowedModuleRoles: ['Shop.User', 'Other.Role'],
          AllowCreate: true,
          AllowDelete: false,
          DefaultMemberAccessRights: 'None',
          MemberAccesses: [
            { Attribute: 'Shop.Order.Code', Association: '', AccessRights: 'ReadWrite' },
            { Attribute: 'Shop.Order.Total', Association: '', AccessRights: 'ReadOnly' },
            { Attribute: 'Shop.Order.Score', Association: '', AccessRights: 'ReadWrite' },
            { Attribute: '', Association: 'Shop.Order_Customer', AccessRights: 'ReadOnly' },
            { Attribute: 'Shop.Order.Secret', Association: '', AccessRights: 'None' },
          ],
          XPathConstraint: "[System.owner = '[%CurrentUser%]']",
        },
      ],
    },
    {
      $ID: 'e2',
      $Type: 'DomainModels$EntityImpl',
      Name: 'Customer',
      MaybeGeneralization: { $Type: 'DomainModels$Generalization', Generalization: 'System.User' },
      Attributes: [],
      AccessRules: [
        {
          $Type: 'DomainModels$AccessRule',
          AllowedModuleRoles: ['Shop.User'],
          DefaultMemberAccessRights: 'None',
          MemberAccesses: [
            // Owned by both: the child side's entry is kept (Kiln grants the member from either side).
            { Attribute: '', Association: 'Shop.Order_Helpers', AccessRights: 'ReadWrite' },
            // Owned by Order alone: not a member of Customer.
            { Attribute: '', Association: 'Shop.Order_Customer', AccessRights: 'ReadOnly' },
          ],
        },
      ],
    },
  ],
  Associations: [
    {
      $Type: 'DomainModels$Association',
      Name: 'Order_Customer',
      ParentPointer: 'e1',
      ChildPointer: 'e2',
      Type: 'Reference',
      Owner: 'Default',
      StorageFormat: 'Column',
      DeleteBehavior: {
        ParentDeleteBehavior: 'DeleteMeAndReferences',
        ChildDeleteBehavior: 'DeleteMeIfNoReferences',
        ChildErrorMessage: caption('Has orders'),
      },
    },
    { $Type: 'DomainModels$Association', Name: 'Order_Helpers', ParentPointer: 'e1', ChildPointer: 'e2', Type: 'ReferenceSet', Owner: 'Both' },
  ],
  CrossAssociations: [
    { $Type: 'DomainModels$CrossAssociation', Name: 'Order_Tags', ParentPointer: 'e1', Child: 'Tags.Tag', Type: 'ReferenceSet', Owner: 'Both' },
  ],
};

const unit = (id: string, containerId: string | undefined, doc: MxObject): MxUnit => ({ id, containerId, containmentName: '', doc });
const units = [
  unit('m', 'p', { $Type: 'Projects$ModuleImpl', Name: 'Shop' }),
  unit('dm', 'm', domainModel),
  unit('sec', 'm', { $Type: 'Security$ModuleSecurity', ModuleRoles: [{ $Type: 'Security$ModuleRole', Name: 'User' }] }),
  unit('re', 'm', { $Type: 'RegularExpressions$RegularExpression', Name: 'Letters', RegEx: '^[A-Z]+$' }),
];

type Dm = { moduleRoles: string[]; entities: { Order: Record<string, unknown>; Customer: unknown }; associations: Record<string, unknown> };

describe('domain model import', () => {
  const reporter = new Reporter('t', 'mpr-v2', undefined);
  const out = convertDomainModel(new ModelIndex({ format: 'mpr-v2', productVersion: undefined, name: 't', units }), 'Shop', reporter) as unknown as Dm;

  it('imports every attribute type, default and system member', () => {
    expect(out.moduleRoles).toEqual(['User']);
    expect(out.entities.Order.systemMembers).toEqual({ createdDate: true, owner: true });
    expect(out.entities.Order.attributes).toEqual({
      Number: 'AutoNumber',
      Code: { type: 'String', length: 20, default: 'X' },
      Note: { type: 'String', length: 'unlimited' },
      Count: { type: 'Integer', default: '3' },
      Big: 'Long',
      Total: { type: 'Decimal', default: '1.50' },
      Paid: { type: 'Boolean', default: true },
      Birthday: { type: 'DateTime', localize: false },
      Status: { type: 'Enumeration', enumeration: 'Shop.Status', default: 'Open' },
      Blob: 'Binary',
      Secret: 'HashedString',
      Rate: 'Decimal',
      Score: { type: 'Integer', calculated: 'Shop.CalcScore' },
    });
    expect(out.entities.Customer).toEqual({
      generalization: 'System.User',
      access: [{ roles: ['User'], read: ['Order_Helpers'], write: ['Order_Helpers'] }],
    });
  });

  it('imports validation rules, event handlers, indexes and access rules', () => {
    expect(out.entities.Order.validation).toEqual([
      { attribute: 'Code', required: 'Code is required' },
      { attribute: 'Code', unique: 'Code is taken' },
      { attribute: 'Count', range: { message: '1 to 10', min: 1, max: 10 } },
      { attribute: 'Note', maxLength: { length: 500, message: 'Too long' } },
      { attribute: 'Code', regex: { pattern: '^[A-Z]+$', message: 'Letters' } },
    ]);
    expect(out.entities.Order.events).toEqual([
      { moment: 'before', event: 'commit', microflow: 'Shop.BCo_Order', raiseErrorOnFalse: false },
      { moment: 'after', event: 'rollback', microflow: 'Shop.ARo_Order', passEventObject: false },
    ]);
    expect(out.entities.Order.indexes).toEqual([{ attributes: ['Code', { attribute: 'Count', descending: true }] }]);
    expect(out.entities.Order.access).toEqual([
      { roles: ['User'], create: true, read: ['Code', 'Total', 'Score', 'Order_Customer'], write: ['Code'], xpath: "[System.owner = '[%CurrentUser%]']" },
    ]);
  });

  it('imports associations with type, owner and delete behaviour both ways', () => {
    expect(out.associations).toEqual({
      Order_Customer: { parent: 'Order', child: 'Customer', deleteBehavior: { parent: 'cascade', child: { prevent: 'Has orders' } } },
      Order_Helpers: { type: 'ReferenceSet', parent: 'Order', child: 'Customer', owner: 'Both' },
      Order_Tags: { type: 'ReferenceSet', parent: 'Order', child: 'Tags.Tag', owner: 'Both' },
    });
  });

  it('reports what it changed', () => {
    expect(reporter.report.notes).toEqual([
      'entity Shop.Order: attribute Rate: Float attribute imported as Decimal',
      'entity Shop.Order: access rule: roles of other modules left out (Other.Role)',
      'entity Shop.Customer: access rule: Order_Customer left out (Customer is its child and it is not owned by both ends)',
      'association Shop.Order_Customer: stored as a column in Mendix; Kiln stores it in an association table',
    ]);
  });
});
