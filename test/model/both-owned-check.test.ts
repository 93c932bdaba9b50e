import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { writeApp } from '../support/app-folder.js';

/** `kiln check` for associations owned by both ends (issue 22): the child's access rules may grant them; other associations stay the owner's. */
const APP = 'name: T\nmodules: [Team]\nsecurity:\n  level: production\n  userRoles: { U: [Team.User] }\n';
const domain = (owner: string) => `moduleRoles: [User]
entities:
  Project:
    attributes: { Title: String }
    access:
      - { roles: [User], read: [Title, Project_Person] }
  Person:
    attributes: { Nick: String }
    access:
      - { roles: [User], read: [Nick, Project_Person], write: [Team.Project_Person] }
  Note:
    attributes: { Text: String }
associations:
  Project_Person: { type: ReferenceSet, parent: Project, child: Person, owner: ${owner} }
  Note_Note: { type: ReferenceSet, parent: Note, child: Note, owner: Both }
`;

describe('kiln check: associations owned by both ends', () => {
  it("accepts the association in the child's rules, by short or qualified name, and resolves the rights", async () => {
    const { model, diagnostics } = await loadModel(writeApp({ 'app.yaml': APP, 'modules/Team/domain-model.yaml': domain('Both') }));
    expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const person = model!.entities.get('Team.Person')!;
    expect(person.alsoOwns).toEqual(['Team.Project_Person']);
    expect(person.access[0]!.members.get('Team.Project_Person')).toBe('ReadWrite');
    expect(model!.entities.get('Team.Project')!.access[0]!.members.get('Team.Project_Person')).toBe('Read');
    // A self-association has one member name for both directions: the parent side's.
    expect(model!.entities.get('Team.Note')!.alsoOwns).toEqual([]);
  });

  it("refuses the association in the child's rules when the parent alone owns it", async () => {
    const { diagnostics } = await loadModel(writeApp({ 'app.yaml': APP, 'modules/Team/domain-model.yaml': domain('Default') }));
    const out = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    expect(out).toContain(
      "modules/Team/domain-model.yaml:10 entities.Person.access.0.read.1: unknown attribute or association 'Project_Person' of Team.Person",
    );
    expect(out).toContain(
      "modules/Team/domain-model.yaml:10 entities.Person.access.0.write.0: unknown attribute or association 'Team.Project_Person' of Team.Person",
    );
  });
});
