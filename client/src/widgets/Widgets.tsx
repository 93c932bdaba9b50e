import type { CSSProperties } from 'react';
import type { ClientLayoutGrid, ClientWidget } from '../../../src/web-client/page-definition';
import { useApp, useScope } from '../app/context';
import { ButtonWidget } from './Buttons';
import { Visible } from './conditions';
import { useSidebarCollapsed } from '../app/sidebar';
import { GroupBox, LanguageSelector, NavigationTree, ScrollContainer, SidebarToggle, TabContainer } from './Containers';
import { DataGrid } from './DataGrid';
import { DataView } from './DataView';
import { FileWidget } from './FileWidget';
import { formatValue } from './format';
import { InputWidget } from './inputs';
import { ListView } from './ListView';
import { ReferenceSelector } from './ReferenceSelectors';
import { valueAt } from './values';
import { Badge, ImageWidget, NavWidget, TextWidget } from './text-widgets';

/** Renders a list of widgets of the page definition. */
export function Widgets({ widgets }: { widgets: readonly ClientWidget[] }) {
  return <>{widgets.map((w, i) => (w.visible ? <ConditionalWidget key={i} w={w} /> : <Widget key={i} w={w} />))}</>;
}

/** A widget with conditional visibility, shown while its condition holds for the object it sits in. */
function ConditionalWidget({ w }: { w: ClientWidget }) {
  const scope = useScope();
  return (
    <Visible when={w.visible} object={scope.object}>
      <Widget w={w} />
    </Visible>
  );
}

function Widget({ w }: { w: ClientWidget }) {
  switch (w.type) {
    case 'groupBox':
      return <GroupBox w={w} />;
    case 'tabContainer':
      return <TabContainer w={w} />;
    case 'scrollContainer':
      return <ScrollContainer w={w} />;
    case 'navigationTree':
      return <NavigationTree orientation={w.orientation} />;
    case 'languageSelector':
      return <LanguageSelector />;
    case 'sidebarToggle':
      return <SidebarToggle controls={w.controls} />;
    case 'placeholder':
      return <PlaceholderSlot name={w.name} />;
    case 'dataGrid':
      return <DataGrid w={w} />;
    case 'listView':
      return <ListView w={w} />;
    case 'dataView':
      return <DataView w={w} />;
    case 'textBox':
    case 'textArea':
    case 'numberInput':
    case 'datePicker':
    case 'dateTimePicker':
    case 'richText':
    case 'checkBox':
    case 'radioButtons':
    case 'dropDown':
      return <InputWidget w={w} />;
    case 'referenceSelector':
    case 'referenceSetSelector':
      return <ReferenceSelector w={w} />;
    case 'staticText': {
      const H = w.heading ? (`h${w.heading + 1}` as 'h2' | 'h3' | 'h4') : 'p';
      return <H className="static-text">{w.text}</H>;
    }
    case 'text':
      return <TextWidget w={w} />;
    case 'badge':
      return <Badge w={w} />;
    case 'image':
      return <ImageWidget w={w} />;
    case 'navigationList':
    case 'menuBar':
      return <NavWidget w={w} />;
    case 'dynamicText':
      return <DynamicText attribute={w.attribute} label={w.label} />;
    case 'fileManager':
    case 'imageViewer':
      return <FileWidget w={w} />;
    case 'button':
      return <ButtonWidget button={w.button} />;
    case 'container':
      return (
        <div className={`container ${w.className ?? ''}`.trim()}>
          <Widgets widgets={w.widgets} />
        </div>
      );
    case 'layoutGrid':
      return <LayoutGrid w={w} />;
  }
}

const clampWeight = (n: number) => Math.min(12, Math.max(1, Math.round(n)));

/** Twelve-column rows; a sidebar column (a layout's) is hidden while the sidebar is collapsed. */
function LayoutGrid({ w }: { w: ClientLayoutGrid }) {
  const [collapsed] = useSidebarCollapsed();
  return (
    <div className="layout-grid">
      {w.rows.map((r, i) => (
        <div key={i} className="layout-row">
          {r.columns.map((c, j) => (
            <div
              key={j}
              id={c.sidebar}
              hidden={c.sidebar ? collapsed : undefined}
              className={c.sidebar ? 'layout-col layout-sidebar' : 'layout-col'}
              style={
                {
                  '--weight': clampWeight(c.weight),
                  '--tablet-weight': clampWeight(c.tabletWeight),
                  '--phone-weight': clampWeight(c.phoneWeight),
                } as CSSProperties
              }
            >
              <Widgets widgets={c.widgets} />
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

/** A layout's placeholder: the page's widgets for `main` (with its title), else the page's widgets for that placeholder. */
function PlaceholderSlot({ name }: { name: string }) {
  const scope = useScope();
  const page = scope.page;
  if (name === 'main')
    return (
      <div className="placeholder-main">
        <h1 className="page-title">{page.title}</h1>
        <Widgets widgets={page.widgets} />
      </div>
    );
  const widgets = page.placeholders?.[name];
  return widgets ? (
    <div className={`placeholder placeholder-${name}`}>
      <Widgets widgets={widgets} />
    </div>
  ) : null;
}

function DynamicText({ attribute, label }: { attribute: string; label?: string | undefined }) {
  const app = useApp();
  const scope = useScope();
  if (!scope.object) return null;
  const attr = scope.entity?.attributes[attribute];
  const text = formatValue(valueAt(app.store, scope.object, attribute), attr?.type ?? 'String', attr);
  return label ? (
    <p className="dynamic-text">
      <span className="muted">{label}: </span>
      {text}
    </p>
  ) : (
    <p className="dynamic-text">{text}</p>
  );
}
