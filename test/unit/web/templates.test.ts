import type { TemplateView } from '../../../lambdas/domain/admin/contract';
import { dictionaries } from '../../../web/src/i18n';
import {
  canCreateReengagement,
  firstName,
  missingVariables,
  prefillVariables,
  sendableReengagement,
  templateStatusKey,
  templateVariableNames,
  variableLabelKey,
} from '../../../web/src/templates';
import reengagement from '../../../templates/reengagement.json';

const template = (approvalStatus: string, overrides: Partial<TemplateView> = {}): TemplateView => ({
  name: 'reengagement',
  language: 'es_MX',
  category: 'UTILITY',
  approvalStatus,
  variables: { '1': 'Ana', '2': 'Panadería La Espiga' },
  ...overrides,
});

describe('templateStatusKey', () => {
  it.each(['draft', 'submitted', 'pending', 'approved', 'rejected'])('%s has its own label in every language', (status) => {
    const key = templateStatusKey(status);
    expect(key).toBe(`templates.status.${status}`);
    for (const dictionary of Object.values(dictionaries)) expect(dictionary[key]).toBeTruthy();
  });

  it('reads anything else as unknown', () => {
    expect(templateStatusKey('paused')).toBe('templates.status.unknown');
    expect(templateStatusKey('')).toBe('templates.status.unknown');
  });
});

describe('sendableReengagement', () => {
  it('is the approved re-engagement template, whatever else is on file', () => {
    const approved = template('approved', { language: 'pt_BR' });
    expect(sendableReengagement([template('pending'), approved, template('approved', { name: 'welcome' })])).toBe(approved);
  });

  it('is none while it is not approved, and never another template', () => {
    for (const status of ['draft', 'submitted', 'pending', 'rejected']) expect(sendableReengagement([template(status)])).toBeUndefined();
    expect(sendableReengagement([template('approved', { name: 'welcome' })])).toBeUndefined();
    expect(sendableReengagement([])).toBeUndefined();
  });
});

describe('canCreateReengagement', () => {
  it('offers to create it when none exists or every one was rejected', () => {
    expect(canCreateReengagement([])).toBe(true);
    expect(canCreateReengagement([template('approved', { name: 'welcome' })])).toBe(true);
    expect(canCreateReengagement([template('rejected')])).toBe(true);
  });

  it('does not while one is draft, submitted, pending or approved', () => {
    for (const status of ['draft', 'submitted', 'pending', 'approved']) expect(canCreateReengagement([template(status)])).toBe(false);
    expect(canCreateReengagement([template('rejected'), template('pending', { language: 'pt_BR' })])).toBe(false);
  });
});

describe('template variables', () => {
  it('lists the numbered variables in numeric order', () => {
    expect(templateVariableNames({ variables: { '10': 'z', '2': 'y', '1': 'x' } })).toEqual(['1', '2', '10']);
    expect(templateVariableNames({ variables: {} })).toEqual([]);
  });

  it('takes the first word of the customer name, not a phone number', () => {
    expect(firstName('  Lucía Fernández ')).toBe('Lucía');
    expect(firstName('+5511987654321')).toBe('');
    expect(firstName(undefined)).toBe('');
    expect(firstName('')).toBe('');
  });

  it('prefills {{1}} with the first name and leaves the rest empty', () => {
    expect(prefillVariables(template('approved'), 'Lucía Fernández')).toEqual({ '1': 'Lucía', '2': '' });
    expect(prefillVariables(template('approved'), undefined)).toEqual({ '1': '', '2': '' });
    expect(prefillVariables(template('approved', { name: 'welcome' }), 'Lucía')).toEqual({ '1': '', '2': '' });
  });

  it('labels the variables of templates/reengagement.json by what they mean', () => {
    expect(Object.keys(reengagement.variables).sort()).toEqual(['1', '2']);
    expect(reengagement.$comment).toMatch(/\{\{1\}\} the customer's first name, \{\{2\}\} the business name/);
    expect(variableLabelKey('reengagement', '1')).toBe('template.var.firstName');
    expect(variableLabelKey('reengagement', '2')).toBe('template.var.businessName');
    expect(variableLabelKey('reengagement', '3')).toBe('template.var.other');
    expect(variableLabelKey('welcome', '1')).toBe('template.var.other');
  });

  it('reports the empty variables in order', () => {
    expect(missingVariables({ '2': '  ', '1': 'Lucía', '10': '' })).toEqual(['2', '10']);
    expect(missingVariables({ '1': 'Lucía', '2': 'Echo' })).toEqual([]);
  });
});
