/**
 * The expected access of examples/sales, written out by hand from the YAML of
 * its domain models, pages and microflows (not computed by Kiln's code), so
 * the matrix tests compare Kiln's evaluation against an independent reading.
 */
export interface ExpectedEntity {
  create: boolean;
  delete: boolean;
  read: string[];
  write: string[];
  /** XPath constraints limiting the visible objects; undefined = all objects. */
  xpath?: string[];
}

const ORDER_ALL = ['Number', 'OrderDate', 'Status', 'Total', 'InternalNote', 'createdDate', 'changedDate', 'Sales.Order_Customer'];
const ORDER_W = ['OrderDate', 'Status', 'Total', 'InternalNote', 'Sales.Order_Customer'];
const USER_ATTRS = ['Name', 'Password', 'LastLogin', 'Blocked', 'BlockedSince', 'Active', 'FailedLogins', 'WebServiceUser', 'IsAnonymous'];
const USER_ASSOC = ['System.UserRoles', 'System.User_Language', 'System.User_TimeZone'];
const CREATED_CHANGED = ['createdDate', 'changedDate'];
const ME = "[id = '[%CurrentUser%]']";
const MY_ORDERS = "[Sales.Order_Customer = '[%CurrentUser%]']";

const managerData: Record<string, ExpectedEntity> = {
  'Sales.Order': { create: true, delete: true, read: ORDER_ALL, write: ORDER_W },
  'Sales.RushOrder': { create: true, delete: true, read: [...ORDER_ALL, 'DeliverBy', 'Surcharge'], write: [...ORDER_W, 'DeliverBy', 'Surcharge'] },
  'Sales.OrderLine': {
    create: true,
    delete: true,
    read: ['Quantity', 'UnitPrice', 'LineTotal', 'Sales.OrderLine_Order', 'Sales.OrderLine_Product'],
    write: ['Quantity', 'UnitPrice', 'LineTotal', 'Sales.OrderLine_Order', 'Sales.OrderLine_Product'],
  },
  'Sales.Customer': {
    create: true,
    delete: true,
    read: [...USER_ATTRS, ...CREATED_CHANGED, 'FullName', 'Email', 'CompanyName', 'Segment', 'CreditLimit', ...USER_ASSOC],
    write: [...USER_ATTRS, 'FullName', 'Email', 'CompanyName', 'Segment', 'CreditLimit', ...USER_ASSOC],
  },
  'Catalog.Product': {
    create: true,
    delete: true,
    read: ['Code', 'Name', 'Description', 'Price', 'Stock', 'Discontinued', 'Catalog.Product_Category'],
    write: ['Name', 'Description', 'Price', 'Stock', 'Discontinued', 'Catalog.Product_Category'],
  },
  'Catalog.Category': { create: true, delete: true, read: ['Name'], write: ['Name'] },
};

const ownAccount: ExpectedEntity = { create: false, delete: false, read: ['FullName', 'Email', 'Name'], write: ['FullName', 'Email'], xpath: [ME] };
const ownUser: ExpectedEntity = {
  create: false,
  delete: false,
  read: ['Name', 'Password', 'LastLogin', 'System.UserRoles', 'System.User_Language', 'System.User_TimeZone'],
  write: ['Password', 'System.User_Language', 'System.User_TimeZone'],
  xpath: [ME],
};

export const EXPECTED_ENTITIES: Record<string, Record<string, ExpectedEntity>> = {
  Administrator: {
    ...managerData,
    'Administration.Account': {
      create: true,
      delete: true,
      read: [...USER_ATTRS, ...CREATED_CHANGED, 'FullName', 'Email', ...USER_ASSOC],
      write: [...USER_ATTRS, 'FullName', 'Email', ...USER_ASSOC],
    },
    'System.User': {
      create: true,
      delete: true,
      read: [...USER_ATTRS, ...CREATED_CHANGED, ...USER_ASSOC],
      write: ['Name', 'Password', 'Active', 'Blocked', 'WebServiceUser', ...USER_ASSOC],
    },
  },
  SalesManager: { ...managerData, 'Administration.Account': ownAccount, 'System.User': ownUser },
  Customer: {
    'Sales.Order': {
      create: true,
      delete: false,
      read: ['Number', 'OrderDate', 'Status', 'Total', 'Sales.Order_Customer', 'createdDate'],
      write: ['OrderDate', 'Sales.Order_Customer'],
      xpath: [MY_ORDERS],
    },
    'Sales.RushOrder': {
      create: false,
      delete: false,
      read: ['Number', 'OrderDate', 'Status', 'Total', 'DeliverBy', 'Sales.Order_Customer'],
      write: [],
      xpath: [MY_ORDERS],
    },
    'Sales.OrderLine': {
      create: false,
      delete: false,
      read: ['Quantity', 'UnitPrice', 'LineTotal', 'Sales.OrderLine_Order', 'Sales.OrderLine_Product'],
      write: [],
      xpath: ["[Sales.OrderLine_Order/Sales.Order/Sales.Order_Customer = '[%CurrentUser%]']"],
    },
    'Sales.Customer': {
      create: false,
      delete: false,
      read: ['CompanyName', 'Segment', 'FullName', 'Email', 'Name'],
      write: ['FullName', 'Email'],
      xpath: [ME],
    },
    'Administration.Account': ownAccount,
    'Catalog.Product': { create: false, delete: false, read: ['Code', 'Name', 'Description', 'Price', 'Catalog.Product_Category'], write: [] },
    'Catalog.Category': { create: false, delete: false, read: ['Name'], write: [] },
    'System.User': ownUser,
  },
};

export const EXPECTED_PAGES: Record<string, Record<string, boolean>> = {
  Administrator: { 'Catalog.Product_Overview': true, 'Sales.Customer_Overview': true, 'Sales.Order_Edit': true, 'Sales.Order_Overview': true },
  SalesManager: { 'Catalog.Product_Overview': true, 'Sales.Customer_Overview': true, 'Sales.Order_Edit': true, 'Sales.Order_Overview': true },
  Customer: { 'Catalog.Product_Overview': true, 'Sales.Customer_Overview': false, 'Sales.Order_Edit': true, 'Sales.Order_Overview': true },
};

/**
 * Buttons visible to some module roles only narrow their operation to those roles, whatever the
 * microflow allows: `microflow page` -> the user roles that keep it (Order_Edit's Confirm button is
 * `visible: { roles: [Manager] }`).
 */
export const ROLE_CONDITIONED_CALLS: Record<string, readonly string[]> = {
  'Sales.Order_Confirm Sales.Order_Edit': ['Administrator', 'SalesManager'],
};

export const EXPECTED_MICROFLOWS: Record<string, Record<string, boolean>> = {
  Administrator: {
    'Sales.GetMyOrders': false,
    'Sales.Order_BeforeCommit': false,
    'Sales.Order_Confirm': true,
    'Sales.REST_CreateOrder': false,
    'Sales.REST_FetchOrders': false,
    'Sales.REST_GetOrder': false,
    'Sales.REST_GetOrders': false,
  },
  SalesManager: {
    'Sales.GetMyOrders': false,
    'Sales.Order_BeforeCommit': false,
    'Sales.Order_Confirm': true,
    'Sales.REST_CreateOrder': false,
    'Sales.REST_FetchOrders': false,
    'Sales.REST_GetOrder': false,
    'Sales.REST_GetOrders': false,
  },
  Customer: {
    'Sales.GetMyOrders': true,
    'Sales.Order_BeforeCommit': false,
    'Sales.Order_Confirm': true,
    'Sales.REST_CreateOrder': false,
    'Sales.REST_FetchOrders': false,
    'Sales.REST_GetOrder': false,
    'Sales.REST_GetOrders': false,
  },
};
