// staff.ts — staff and their roles (/api/v1/staff).
import { api, type Defaulted, type S } from './client';

export const listStaff = () => api<S['StaffList']>('GET', '/api/v1/staff');
export const createStaff = (body: Defaulted<S['StaffCreate'], 'lang' | 'active'>) => api('POST', '/api/v1/staff', body);
