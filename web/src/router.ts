import { createRouter, createWebHistory } from 'vue-router'
import { prefetch } from './prefetch'

// Each page is its own chunk, loaded when visited: the first load carries
// only the shell (header, router, i18n, GraphQL client).
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'overview', component: () => import('./pages/Overview.vue') },
    { path: '/signin', name: 'signin', component: () => import('./pages/SignIn.vue') },
    { path: '/venues', name: 'venues', component: () => import('./pages/Venues.vue') },
    { path: '/venues/:id', name: 'venue', component: () => import('./pages/VenuePage.vue'), props: true },
    { path: '/work', name: 'work', component: () => import('./pages/MyWork.vue') },
    { path: '/meetings', name: 'meetings', component: () => import('./pages/Meetings.vue') },
    { path: '/meetings/:id', name: 'meeting', component: () => import('./pages/MeetingPage.vue'), props: true },
    { path: '/lists', name: 'lists', component: () => import('./pages/Lists.vue') },
    { path: '/figures', name: 'figures', component: () => import('./pages/Figures.vue') },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

// A page's first queries start with its navigation, beside its code's download.
router.beforeEach((to) => {
  prefetch(to)
})
