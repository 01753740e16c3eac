import type zh from './zh-CN'

const en: typeof zh = {
  app: { title: 'Co-governance', signIn: 'Sign in', signOut: 'Sign out', error: 'The request failed; try again later', loading: 'Loading…' },
  nav: { label: 'Main', overview: 'Overview', venues: 'Venues', work: 'My work', meetings: 'Joint meetings', lists: 'Three lists', figures: 'Figures' },
  signIn: { title: 'Sign in', username: 'Username', password: 'Password', submit: 'Sign in', demo: 'Demo accounts use the password cogov-demo, e.g. community-1-admin, hnig-admin.' },
  overview: {
    title: 'Sub-district', workingCommittee: 'Working committee',
    facts: '{communities} communities · {grids} grids · {units} units', area: '{km2} km²', population: '{n} residents',
    anonymous: 'Sign in to see the members.', partTime: '{n} part-time members', person: 'Name', role: 'Role', unit: 'Unit', kind: 'Kind', community: 'Community',
    communities: 'Communities ({n})', grids: '{n} grids', units: 'Stationed units ({n})',
  },
  venues: {
    title: 'Find a venue', date: 'Date', from: 'From', to: 'To', people: 'People', area: 'Minimum area (m²)', facilities: 'Facilities', facilitiesHint: 'e.g. projector',
    community: 'Community', anyCommunity: 'Any community', text: 'Name or address', onlyFree: 'Free in this window only', search: 'Search', found: '{n} venues found',
    areaShort: 'Area', capacity: 'Holds', persons: '{n} people', owner: 'Provided by', needsApproval: 'Needs approval',
  },
  venue: { joinWaitlist: 'Join the waitlist', waiting: 'On the waitlist: you are told first when the window frees up', people: 'People', calendar: 'Week calendar of the venue', hours: 'Opening hours', week: '{from} to {to}', prev: 'Previous week', next: 'Next week', thisWeek: 'This week', live: 'Live', bookings: 'Bookings this week', noBookings: 'No bookings this week' },
  weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  booking: {
    title: 'Request the venue', signInFirst: 'Sign in to request a venue.', noCommittee: 'You administer no committee, so you cannot request.', committee: 'For committee', when: 'When',
    purpose: 'Purpose', attendees: 'Expected attendees', repeat: 'Repeat', weekly: 'Weekly', count: 'Occurrences', times: 'times', skipConflicts: 'Skip dates that conflict',
    submit: 'Send request', requested: 'Requested for {at}', skipped: '{at} skipped: {why}',
  },
  bell: { title: 'Notifications', unread: ' ({n} unread)', recent: 'Recent notifications', readAll: 'Mark all read', markRead: 'Mark read', none: 'No notifications' },
  work: {
    inbox: 'Inbox', inboxEmpty: 'Nothing waits for you', shown: 'Showing {n} of {total}', loadMore: 'Load more', deadline: 'by {d}', checkIn: 'Check in', checkedIn: 'checked in',
    title: 'My work', requests: 'Requests waiting for me', noRequests: 'No request is waiting', approve: 'Approve', reject: 'Reject', reason: 'Reason for rejecting',
    committeeBookings: "My committee's bookings", none: 'Nothing here', when: 'When', venue: 'Venue', status: 'Status', nothing: 'Nothing needs your account now.',
  },
  meetings: {
    title: 'Joint meetings', name: 'Title', conveners: 'Convened by', schedule: 'Schedule a joint meeting', agendaLines: 'Agenda (one item a line)', scheduleSubmit: 'Schedule',
    agenda: 'Agenda', minutes: '{n} min', invitations: 'Invitations and answers ({n})', answer: 'Answer', accept: 'Accept', decline: 'Decline', outcome: 'Outcome',
    recordOutcome: 'Record the outcome', attendees: 'Attendees', attendedCount: '{n} attended', selectAccepted: 'Select those who accepted', minutesText: 'Minutes',
    newResolutions: 'New resolutions (one a line)', recordSubmit: 'Save the outcome', recorded: 'The outcome is saved', resolutions: 'Resolutions', notStarted: 'The outcome can be recorded once the meeting has started.',
  },
  lists: {
    title: 'The three lists', needs: 'Needs ({n})', offers: 'Offers ({n})', projects: 'Projects ({n})', name: 'Title', category: 'Category', urgency: 'Urgency',
    postedBy: 'Posted by', due: 'due {d}', progress: 'Progress', note: 'Note', report: 'Report progress', launch: 'Launch a project from a need and an offer', need: 'Need', offer: 'Offer',
    owner: 'Owner', dueOn: 'Due on', launchSubmit: 'Launch',
    postNeed: 'Post a need', postNeedSubmit: 'Post the need', needPosted: 'The need “{title}” is posted', grid: 'Grid', wholeCommunity: 'The whole community (no grid)', peopleAffected: 'People affected',
    description: 'Details', chooseCategory: 'Choose a category', postOffer: 'Post an offer', postOfferSubmit: 'Post the offer', offerPosted: 'The offer “{title}” is posted', noVenue: 'No venue',
    quantity: 'Quantity (places, hours, items)', availableFrom: 'Available from', availableTo: 'Available until',
  },
  figures: {
    title: 'Figures', period: 'Period', from: 'From', to: 'To', export: 'CSV export', hours: 'Hours', bookings: 'Bookings', needs: 'Needs', projects: 'Projects',
    utilization: 'Utilization per venue', contribution: 'Contribution per unit (hours hosted)', perMonth: 'Bookings per month', byState: 'Needs and projects by state',
    csv: { stats: 'Summary', needs: 'Needs', offers: 'Offers', projects: 'Projects' },
    stat: {
      partTimeMembers: 'Part-time members', unitsSharingVenues: 'Units sharing venues', sharedAreaSqm: 'Shared area (m²)', bookingsApproved: 'Approved bookings', bookedHours: 'Booked hours',
      attendees: 'Attendees', venueUtilization: 'Venue utilization', jointMeetingsHeld: 'Joint meetings held', needsOpen: 'Open needs', needsMet: 'Needs met',
      projectsActive: 'Active projects', projectsCompleted: 'Completed projects',
    },
  },
}
export default en
