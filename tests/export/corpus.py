#!/usr/bin/env python
# coding: utf-8

# # Title
# 
# Some *text*.
# 

# In[3]:


import os
print(os.getcwd())


# In[ ]:


#@title Settings { display-mode: "form" }
n = 5 #@param {type:"integer"}
name = 'x' #@param ["x", "y"]


# In[ ]:


get_ipython().run_line_magic('env', 'FOO=bar')
x = get_ipython().getoutput('ls -la')
get_ipython().system("echo 'hi'")
if x:
    get_ipython().run_line_magic('time', 'f(x)')
files = get_ipython().run_line_magic('sx', 'ls')
get_ipython().getoutput('date')


# In[ ]:


get_ipython().run_cell_magic('bash', '', "echo hi\necho 'x'\n")


# In[ ]:


get_ipython().run_cell_magic('time', '', 'x = 1\n')


# In[ ]:


get_ipython().run_cell_magic('capture', 'out', '')


# In[ ]:


get_ipython().run_line_magic('pip', 'install -q numpy')


# In[ ]:


s = '''
!not a shell
%not a magic
'''
print(s)


# In[ ]:


f(1,
  2)
y = [
  %notmagic
]


# In[ ]:


get_ipython().run_line_magic('pinfo', 'os.path.join')
get_ipython().run_line_magic('pinfo2', 'os')


# In[ ]:


get_ipython().system('echo "it\'s" \\\\ done\ttab')


# In[ ]:


x = 1


# In[ ]:


x = 1



# In[ ]:


indented = 1
more = 2


# In[ ]:


a, b = get_ipython().getoutput('echo 1 2')

raw text
# In[ ]:





# ünïcödé — “quotes” and 😀
# 
# 

# In[12]:


print('😀')  # ünï


# end
